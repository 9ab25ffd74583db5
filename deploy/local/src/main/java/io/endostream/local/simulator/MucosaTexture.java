package io.endostream.local.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfPoint;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * The colon wall unrolled: u (columns) runs around the circumference, v (rows) along the depth of the tube. The tile
 * wraps in both directions. It carries the mucosa's albedo (pink to red, mottled, with branching submucosal vessels)
 * and a gloss map (wet sheen and mucus droplets) for specular highlights. Folds and lighting come from
 * {@link TubeGeometry}.
 */
final class MucosaTexture implements AutoCloseable {

    /** Columns of one turn around the tube at full detail. */
    static final int WIDTH = 2048;
    /** Rows of one period along the tube at full detail. */
    static final int HEIGHT = 1536;

    /** Columns of one turn around the tube (WIDTH at full detail, halved per level of {@code coarsening}). */
    final int width;
    /** Rows of one period along the tube. */
    final int height;
    /** BGR colour, CV_8UC3: two periods stacked (2 height x width). */
    final Mat colour;
    /**
     * Gloss, CV_8UC2: channel 0 is sheen (the mucus film; it shines where the surface faces the lens), channel 1
     * glints (droplets that sparkle wherever the light reaches them).
     */
    final Mat gloss;

    /**
     * @param coarsening 0 for full detail (frames of about 576 lines and more), 1 for half, 2 for a quarter: small
     *                   frames cannot show the detail, and a smaller texture builds faster
     */
    MucosaTexture(Random rng, int coarsening) {
        int w = WIDTH >> coarsening;
        int h = HEIGHT >> coarsening;
        width = w;
        height = h;
        double detail = 1.0 / (1 << coarsening);
        // Palette: pink-orange to deep red mucosa, as lit near the camera.
        double[][] palette = {
            {95, 118, 218}, {82, 96, 204}, {96, 134, 226}, {86, 84, 190}, {108, 124, 214}, {90, 120, 230}};
        double[] base = palette[rng.nextInt(palette.length)].clone();
        double brightness = 0.92 + 0.12 * rng.nextDouble();
        for (int c = 0; c < 3; c++) {
            base[c] = Math.min(250, base[c] * brightness * (0.97 + 0.06 * rng.nextDouble()));
        }

        float[] low = Noise.tileable(rng, w, h, 256 >> coarsening);
        float[] mid = Noise.tileable(rng, w, h, 32 >> coarsening);
        float[] grain = Noise.tileable(rng, w, h, Math.max(1, 4 >> coarsening));
        float[] wet = Noise.tileable(rng, w, h, 64 >> coarsening);
        float[] droplets = Noise.tileable(rng, w, h, Math.max(1, 8 >> coarsening));
        float[] vessels = vessels(rng, w, h, detail);

        float[] bgr = new float[w * h * 3];
        float[] glossValues = new float[w * h * 2];
        double vesselStrength = 0.45 + 0.4 * rng.nextDouble();
        double wetness = 0.6 + 0.4 * rng.nextDouble();
        for (int i = 0; i < w * h; i++) {
            double tone = 1 + 0.08 * low[i] + 0.035 * mid[i] + 0.02 * grain[i];
            double vessel = vessels[i] * vesselStrength * Noise.clamp(0.65 + 0.45 * low[(i + w * h / 2) % (w * h)], 0.2, 1);
            bgr[3 * i] = Noise.clamp(base[0] * tone * (1 - 0.42 * vessel), 0, 255);
            bgr[3 * i + 1] = Noise.clamp(base[1] * tone * (1 - 0.6 * vessel), 0, 255);
            bgr[3 * i + 2] = Noise.clamp(base[2] * tone * (1 - 0.3 * vessel), 0, 255);
            // Wet sheen in patches, and mucus droplets that glint wherever the light reaches them.
            // Sheen in patches (where the mucus film is thick), to be lit where the surface faces the lens.
            double sheen = wetness * Noise.clamp((wet[i] + 0.35 * mid[i] - 0.1) * 0.9, 0, 1);
            double glint = Math.max(0, droplets[i] - 3.1) * 1.5;
            glossValues[2 * i] = Noise.clamp(255 * sheen, 0, 255);
            glossValues[2 * i + 1] = Noise.clamp(255 * glint, 0, 255);
        }
        Mat colourF = new Mat(h, w, CvType.CV_32FC3);
        colourF.put(0, 0, bgr);
        Mat colourTile = new Mat();
        colourF.convertTo(colourTile, CvType.CV_8UC3);
        colourF.release();
        colour = extend(colourTile);
        colourTile.release();
        Mat glossF = new Mat(h, w, CvType.CV_32FC2);
        glossF.put(0, 0, glossValues);
        Mat glossRaw = new Mat();
        glossF.convertTo(glossRaw, CvType.CV_8UC2);
        glossF.release();
        Mat padded = new Mat();
        Core.copyMakeBorder(glossRaw, padded, 8, 8, 8, 8, Core.BORDER_WRAP);
        glossRaw.release();
        Mat blurred = new Mat();
        Imgproc.GaussianBlur(padded, blurred, new Size(0, 0), 1.2);
        padded.release();
        Mat glossTile = blurred.submat(8, 8 + h, 8, 8 + w);
        gloss = extend(glossTile);
        glossTile.release();
        blurred.release();
    }

    /**
     * Two periods stacked: lookups from any period offset up to one period deep stay in range (remap's wrapping
     * border is ten times slower per pixel; only the far lumen still needs it), and wrapping stays seamless.
     */
    private static Mat extend(Mat tile) {
        Mat repeated = new Mat();
        Core.repeat(tile, 2, 1, repeated);
        return repeated;
    }

    /** Branching submucosal vessels, 0..1, drawn with wrap-around so the tile stays seamless. */
    private static float[] vessels(Random rng, int w, int h, double detail) {
        Mat layer = Mat.zeros(h, w, CvType.CV_8U);
        int trees = 55 + rng.nextInt(30);
        for (int t = 0; t < trees; t++) {
            grow(rng, layer, rng.nextDouble() * w, rng.nextDouble() * h, rng.nextDouble() * 2 * Math.PI,
                    2.2 + rng.nextDouble() * 1.4, 0, w, h, detail);
        }
        Mat blurred = new Mat();
        Imgproc.GaussianBlur(layer, blurred, new Size(0, 0), Math.max(0.5, 0.9 * detail));
        byte[] raw = new byte[w * h];
        blurred.get(0, 0, raw);
        layer.release();
        blurred.release();
        float[] out = new float[w * h];
        for (int i = 0; i < raw.length; i++) {
            out[i] = (raw[i] & 0xff) / 255f;
        }
        return out;
    }

    private static void grow(Random rng, Mat layer, double x, double y, double angle, double thickness, int depth,
            int w, int h, double detail) {
        int segments = 15 + rng.nextInt(40);
        List<Point> points = new ArrayList<>();
        points.add(new Point(x, y));
        for (int s = 0; s < segments; s++) {
            angle += (rng.nextDouble() - 0.5) * 0.7;
            double step = (5 + 6 * rng.nextDouble()) * detail;
            x += Math.cos(angle) * step;
            y += Math.sin(angle) * step * 0.8;
            points.add(new Point(x, y));
            if (depth < 3 && rng.nextDouble() < 0.06) {
                grow(rng, layer, x, y, angle + (rng.nextBoolean() ? 1 : -1) * (0.5 + rng.nextDouble()),
                        thickness * 0.65, depth + 1, w, h, detail);
            }
        }
        double width = thickness * detail;
        // Lines thinner than a pixel are drawn one pixel wide and fainter.
        int intensity = (int) (Math.min(255, 120 + 60 * thickness) * Math.min(1, width));
        int lineWidth = Math.max(1, (int) Math.round(width));
        for (int ox = -1; ox <= 1; ox++) {
            for (int oy = -1; oy <= 1; oy++) {
                List<Point> shifted = new ArrayList<>(points.size());
                for (Point p : points) {
                    shifted.add(new Point(p.x + ox * w, p.y + oy * h));
                }
                MatOfPoint poly = new MatOfPoint();
                poly.fromList(roundAll(shifted));
                Imgproc.polylines(layer, List.of(poly), false, new Scalar(intensity), lineWidth, Imgproc.LINE_AA);
                poly.release();
            }
        }
    }

    private static List<Point> roundAll(List<Point> points) {
        List<Point> out = new ArrayList<>(points.size());
        for (Point p : points) {
            out.add(new Point(Math.round(p.x), Math.round(p.y)));
        }
        return out;
    }

    @Override
    public void close() {
        colour.release();
        gloss.release();
    }
}
