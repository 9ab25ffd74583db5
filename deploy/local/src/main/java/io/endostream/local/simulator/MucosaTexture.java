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
 * wraps in both directions. It carries the mucosa's colour with haustral folds (lit on the side facing the camera,
 * shadowed behind the crest), submucosal vessels, and a gloss map for specular highlights.
 */
final class MucosaTexture implements AutoCloseable {

    /** Columns of one turn around the tube. */
    static final int WIDTH = 2048;
    /** Rows of one period along the tube. */
    static final int HEIGHT = 1536;
    /** Extra wrapped rows and columns so lookups up to this many rows past a period stay in range. */
    static final int EXTRA_ROWS = 1928;
    static final int EXTRA_COLUMNS = 2;

    /** BGR colour, CV_8UC3, WIDTH x HEIGHT. */
    final Mat colour;
    /** Gloss 0..255 (how much specular light a spot reflects), CV_8UC1. */
    final Mat gloss;
    /** Mucosa base colour (B, G, R), 0..255, used to tint polyps. */
    final double[] baseBgr;

    MucosaTexture(Random rng) {
        int w = WIDTH;
        int h = HEIGHT;
        // Palette: pink-orange to deep red mucosa, as lit near the camera.
        double[][] palette = {
            {95, 118, 218}, {82, 96, 204}, {96, 134, 226}, {86, 84, 190}, {108, 124, 214}, {90, 120, 230}};
        double[] base = palette[rng.nextInt(palette.length)].clone();
        double brightness = 0.92 + 0.12 * rng.nextDouble();
        for (int c = 0; c < 3; c++) {
            base[c] = Math.min(250, base[c] * brightness * (0.97 + 0.06 * rng.nextDouble()));
        }
        baseBgr = base;

        float[] low = Noise.tileable(rng, w, h, 256);
        float[] mid = Noise.tileable(rng, w, h, 32);
        float[] grain = Noise.tileable(rng, w, h, 4);
        float[] fine = Noise.tileable(rng, w, h, 2);
        float[] spotNoise = Noise.tileable(rng, w, h, 8);
        float[] foldFade = Noise.tileable(rng, w, 128, 128); // varies along u (first row used)
        float[] height = folds(rng, w, h, mid, foldFade);
        float[] vessels = vessels(rng, w, h);

        float[] bgr = new float[w * h * 3];
        float[] glossValues = new float[w * h];
        double vesselStrength = 0.35 + 0.35 * rng.nextDouble();
        for (int y = 0; y < h; y++) {
            int yPrev = (y - 2 + h) % h;
            int yNext = (y + 2) % h;
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                // Slope along depth: > 0 where the wall rises towards the lumen, i.e. faces the camera.
                double slope = (height[yNext * w + x] - height[yPrev * w + x]) * 0.25 * 40;
                double shade = slope > 0 ? 1 + 0.3 * Math.min(slope, 1.2) : 1 + 0.3 * Math.max(slope, -1.7);
                shade *= 0.9 + 0.15 * height[i];
                double tone = 1 + 0.09 * low[i] + 0.035 * mid[i] + 0.03 * grain[i] + 0.02 * fine[i];
                double vessel = vessels[i] * vesselStrength * Noise.clamp(0.6 + 0.5 * low[(i + w * h / 2) % (w * h)], 0.15, 1);
                double b = base[0] * tone * shade * (1 - 0.35 * vessel);
                double g = base[1] * tone * shade * (1 - 0.55 * vessel);
                double r = base[2] * tone * shade * (1 - 0.22 * vessel);
                bgr[3 * i] = Noise.clamp(b, 0, 255);
                bgr[3 * i + 1] = Noise.clamp(g, 0, 255);
                bgr[3 * i + 2] = Noise.clamp(r, 0, 255);
                // Wet mucosa shines on fold faces towards the camera, broken up into streaks, plus scattered spots.
                double streak = Math.max(0, slope - 0.25) * Noise.clamp(0.3 + 0.9 * mid[(i + 7919) % (w * h)], 0, 1.2);
                double spot = Math.max(0, spotNoise[i] - 2.7) * 1.8 + Math.max(0, fine[i] * spotNoise[i] - 4.5) * 0.4;
                glossValues[i] = Noise.clamp(255 * (2.5 * streak * streak + spot), 0, 255);
            }
        }
        Mat colourF = new Mat(h, w, CvType.CV_32FC3);
        colourF.put(0, 0, bgr);
        Mat colourTile = new Mat();
        colourF.convertTo(colourTile, CvType.CV_8UC3);
        colourF.release();
        colour = extend(colourTile);
        colourTile.release();
        Mat glossF = new Mat(h, w, CvType.CV_32F);
        glossF.put(0, 0, glossValues);
        Mat glossRaw = new Mat();
        glossF.convertTo(glossRaw, CvType.CV_8U);
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

    /** The tile repeated so that rows up to HEIGHT + EXTRA_ROWS and columns up to WIDTH + EXTRA_COLUMNS exist. */
    private static Mat extend(Mat tile) {
        Mat repeated = new Mat();
        Core.repeat(tile, 1 + (EXTRA_ROWS + HEIGHT - 1) / HEIGHT, 2, repeated);
        Mat extended = repeated.submat(0, HEIGHT + EXTRA_ROWS, 0, WIDTH + EXTRA_COLUMNS).clone();
        repeated.release();
        return extended;
    }

    /** Height field of the haustral folds: asymmetric ridges across the tube, wavy and partial. */
    private static float[] folds(Random rng, int w, int h, float[] mid, float[] fade) {
        int count = 6 + rng.nextInt(4);
        double[] centre = new double[count];
        double spacing = (double) h / count;
        for (int f = 0; f < count; f++) {
            centre[f] = f * spacing + (rng.nextDouble() - 0.5) * 0.5 * spacing;
        }
        double[] amp = new double[count];
        double[] nearWidth = new double[count];
        double[] farWidth = new double[count];
        int[] k1 = new int[count];
        int[] k2 = new int[count];
        double[] a1 = new double[count];
        double[] a2 = new double[count];
        double[] p1 = new double[count];
        double[] p2 = new double[count];
        int[] fadeShift = new int[count];
        for (int f = 0; f < count; f++) {
            amp[f] = 0.6 + 0.4 * rng.nextDouble();
            nearWidth[f] = 40 + 40 * rng.nextDouble();
            farWidth[f] = 10 + 12 * rng.nextDouble();
            k1[f] = 1 + rng.nextInt(3);
            k2[f] = 3 + rng.nextInt(4);
            a1[f] = 10 + 35 * rng.nextDouble();
            a2[f] = 4 + 12 * rng.nextDouble();
            p1[f] = 2 * Math.PI * rng.nextDouble();
            p2[f] = 2 * Math.PI * rng.nextDouble();
            fadeShift[f] = rng.nextInt(w);
        }
        float[] height = new float[w * h];
        double[] wobble = new double[count];
        double[] strength = new double[count];
        for (int x = 0; x < w; x++) {
            double ux = 2 * Math.PI * x / w;
            for (int f = 0; f < count; f++) {
                wobble[f] = centre[f] + a1[f] * Math.sin(k1[f] * ux + p1[f]) + a2[f] * Math.sin(k2[f] * ux + p2[f]);
                // Haustral folds are crescents: they fade out over parts of the circumference.
                strength[f] = amp[f] * Noise.clamp(0.55 + 0.5 * fade[(x + fadeShift[f]) % w], 0, 1);
            }
            for (int y = 0; y < h; y++) {
                int i = y * w + x;
                double best = 0;
                double jitter = 6 * mid[i];
                for (int f = 0; f < count; f++) {
                    double dy = y - wobble[f] - jitter;
                    dy -= h * Math.floor(dy / h + 0.5); // wrap to [-h/2, h/2)
                    double width = dy < 0 ? nearWidth[f] : farWidth[f];
                    double q = dy / width;
                    if (q * q < 9) {
                        best = Math.max(best, strength[f] * Math.exp(-q * q));
                    }
                }
                height[i] = (float) best;
            }
        }
        return height;
    }

    /** Branching submucosal vessels, 0..1, drawn with wrap-around so the tile stays seamless. */
    private static float[] vessels(Random rng, int w, int h) {
        Mat layer = Mat.zeros(h, w, CvType.CV_8U);
        int trees = 55 + rng.nextInt(30);
        for (int t = 0; t < trees; t++) {
            grow(rng, layer, rng.nextDouble() * w, rng.nextDouble() * h, rng.nextDouble() * 2 * Math.PI,
                    2.2 + rng.nextDouble() * 1.4, 0, w, h);
        }
        Mat blurred = new Mat();
        Imgproc.GaussianBlur(layer, blurred, new Size(0, 0), 0.9);
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
            int w, int h) {
        int segments = 15 + rng.nextInt(40);
        List<Point> points = new ArrayList<>();
        points.add(new Point(x, y));
        for (int s = 0; s < segments; s++) {
            angle += (rng.nextDouble() - 0.5) * 0.7;
            double step = 5 + 6 * rng.nextDouble();
            x += Math.cos(angle) * step;
            y += Math.sin(angle) * step * 0.8;
            points.add(new Point(x, y));
            if (depth < 3 && rng.nextDouble() < 0.06) {
                grow(rng, layer, x, y, angle + (rng.nextBoolean() ? 1 : -1) * (0.5 + rng.nextDouble()),
                        thickness * 0.65, depth + 1, w, h);
            }
        }
        int intensity = (int) Math.min(255, 120 + 60 * thickness);
        int lineWidth = Math.max(1, (int) Math.round(thickness));
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
