package io.endostream.local.simulator;

import io.endostream.local.Native;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Synthetic colonoscopy video with exact polyp masks, deterministic from a seed.
 *
 * <p>The camera looks down a tube (the colon) whose wall is a seeded {@link MucosaTexture}: each pixel's depth follows
 * from its distance to the lumen centre, so haustral folds appear as rings that crowd towards the dark lumen. The
 * endoscope's own light falls off with depth; wet mucosa reflects specular highlights. The camera drifts smoothly
 * (lumen position, advance and withdrawal, roll, tilt), the focus breathes, fast motion smears, the sensor adds noise,
 * and the optics give a circular, vignetted field of view. Polyps sit at fixed places on the wall, so they come into
 * view, grow and pass as the camera moves; the mask is exactly the pixels where a polyp is drawn.
 *
 * <p>Frame {@code i} depends only on the seed, the size and {@code i} ({@link #frame(int)}); {@link #next()} plays them
 * in order as a continuous 25 fps video. Not thread-safe: use one simulator per thread. Rendering takes a few
 * milliseconds per 720x576 frame on one core (see the module README for the measured figure).
 */
public final class EndoscopySimulator implements AutoCloseable {

    static {
        Native.loadOpenCv(); // before the Mat fields below are created
    }

    /** The time base of the camera motion: frame i is at i / 25 seconds. */
    public static final double FRAMES_PER_SECOND = 25;

    // Geometry, in units of the tube radius and of "normalised pixels" (the frame scaled to a height of 576).
    private static final double FOCAL = 340;
    private static final double R0 = 3;
    private static final double Z_MAX = 12;
    private static final double TEXTURE_ROWS_PER_UNIT = 160;
    private static final double SEGMENT_LENGTH = 3.0;
    private static final double POLYP_NEAREST = 0.6;
    private static final double POLYP_FARTHEST = 3.6;
    private static final double MAX_LIGHT = 1.05;

    private final long seed;
    private final int width;
    private final int height;
    private final double scale;
    private final MucosaTexture texture;

    private final Wobble lumenX;
    private final Wobble lumenY;
    private final Wobble lumenSlow;
    private final Wobble advance;
    private final Wobble rollWobble;
    private final Wobble tiltWobble;
    private final Wobble shapeWobble;
    private final Wobble focusWobble;
    private final double speed;
    private final double startDepth;
    private final double rollDrift;
    private final double shapeAmplitude;
    private final double lightReach;
    private final double specularGain;
    private final double lumenRange;

    private final Mat gridX;
    private final Mat gridY;
    private final Mat lens;
    private final Mat fieldOfView;
    private final Mat sensorNoise;
    private static final int NOISE_MARGIN = 32;

    // Work buffers, reused frame to frame.
    private final Mat dx = new Mat();
    private final Mat dy = new Mat();
    private final Mat radius = new Mat();
    private final Mat angle = new Mat();
    private final Mat tmp = new Mat();
    private final Mat cos = new Mat();
    private final Mat sin = new Mat();
    private final Mat depth = new Mat();
    private final Mat mapX = new Mat();
    private final Mat mapY = new Mat();
    private final Mat wall = new Mat();
    private final Mat wallGloss = new Mat();
    private final Mat light = new Mat();
    private final Mat specular = new Mat();
    private final Mat light3 = new Mat();
    private final Mat specular3 = new Mat();
    private final Mat lit = new Mat();
    private final Mat spriteColour = new Mat();
    private final Mat spriteAux = new Mat();
    private final Mat empty = new Mat();

    private final Map<Long, PolypSprite> sprites = new HashMap<>();
    private int nextIndex;

    /**
     * @param seed   everything (texture, palette, camera path, polyps) derives from it
     * @param width  frame width in pixels (>= 32)
     * @param height frame height in pixels (>= 32)
     */
    public EndoscopySimulator(long seed, int width, int height) {
        if (width < 32 || height < 32) {
            throw new IllegalArgumentException("frame size must be at least 32x32, was " + width + "x" + height);
        }
        Native.loadOpenCv();
        this.seed = seed;
        this.width = width;
        this.height = height;
        this.scale = Math.min(width, height) / 576.0;
        Random rng = new Random(seed);
        texture = new MucosaTexture(new Random(rng.nextLong()));
        lumenX = new Wobble(rng, 3, 0.02, 0.12);
        lumenY = new Wobble(rng, 3, 0.02, 0.12);
        lumenSlow = new Wobble(rng, 2, 0.005, 0.02);
        advance = new Wobble(rng, 3, 0.03, 0.15);
        rollWobble = new Wobble(rng, 2, 0.02, 0.1);
        tiltWobble = new Wobble(rng, 2, 0.03, 0.12);
        shapeWobble = new Wobble(rng, 2, 0.01, 0.05);
        focusWobble = new Wobble(rng, 3, 0.05, 0.4);
        speed = (rng.nextBoolean() ? 1 : -1) * (0.12 + 0.2 * rng.nextDouble());
        startDepth = 1000 * rng.nextDouble();
        rollDrift = (rng.nextDouble() - 0.5) * 0.02;
        shapeAmplitude = 0.05 + 0.13 * rng.nextDouble();
        lightReach = 1.3 + 0.3 * rng.nextDouble();
        specularGain = 1.4 + 0.8 * rng.nextDouble();
        lumenRange = 0.22 + 0.14 * rng.nextDouble();

        float[] xs = new float[width * height];
        float[] ys = new float[width * height];
        float[] lensValues = new float[width * height];
        byte[] fovValues = new byte[width * height];
        double cx = width / 2.0;
        double cy = height / 2.0;
        double fovRadius = 0.5 * Math.hypot(width, height) * 0.84;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int i = y * width + x;
                xs[i] = (float) ((x + 0.5) / scale);
                ys[i] = (float) ((y + 0.5) / scale);
                double d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
                double edge = Noise.clamp(fovRadius - d + 0.5, 0, 1);
                double vignette = 1 - 0.45 * Math.pow(d / fovRadius, 2.5);
                lensValues[i] = (float) (edge * vignette);
                fovValues[i] = (byte) (d <= fovRadius ? 255 : 0);
            }
        }
        gridX = new Mat(height, width, CvType.CV_32F);
        gridX.put(0, 0, xs);
        gridY = new Mat(height, width, CvType.CV_32F);
        gridY.put(0, 0, ys);
        lens = new Mat(height, width, CvType.CV_32F);
        lens.put(0, 0, lensValues);
        fieldOfView = new Mat(height, width, CvType.CV_8U);
        fieldOfView.put(0, 0, fovValues);

        int nh = height + NOISE_MARGIN;
        int nw = width + NOISE_MARGIN;
        short[] noise = new short[nh * nw * 3];
        double noiseSigma = 2.0 + 2.5 * rng.nextDouble();
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (short) Math.round(rng.nextGaussian() * noiseSigma);
        }
        sensorNoise = new Mat(nh, nw, CvType.CV_16SC3);
        sensorNoise.put(0, 0, noise);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The next frame of the video (frame 0 first). The caller closes it. */
    public SimulatedFrame next() {
        return frame(nextIndex++);
    }

    /** Frame {@code index} of this simulator's video, independent of what was rendered before. */
    public SimulatedFrame frame(int index) {
        if (index < 0) {
            throw new IllegalArgumentException("frame index must be >= 0, was " + index);
        }
        double t = index / FRAMES_PER_SECOND;
        double lumenCx = lumenCentreX(t);
        double lumenCy = lumenCentreY(t);
        double camZ = startDepth + speed * t + 0.45 * advance.at(t);
        double roll = rollDrift * t + 0.05 * rollWobble.at(t);
        double tilt = 1 + 0.12 * tiltWobble.at(t);
        double shapePhase = 2.5 * shapeWobble.at(t) + (seed & 0xff) / 40.0;

        // Depth of the wall seen through each pixel, from its distance to the lumen centre.
        double rollAngle = 2 * Math.PI * roll;
        Core.subtract(gridX, new Scalar(lumenCx / scale), dx);
        Core.subtract(gridY, new Scalar(lumenCy / scale), dy);
        Core.multiply(dy, new Scalar(tilt), dy);
        Core.magnitude(dx, dy, radius);
        // The angle around the tube, rotated by the camera's roll so it indexes the texture's columns directly.
        Core.addWeighted(dx, Math.cos(rollAngle), dy, -Math.sin(rollAngle), 0, cos);
        Core.addWeighted(dx, Math.sin(rollAngle), dy, Math.cos(rollAngle), 0, sin);
        Core.phase(cos, sin, angle);
        angle.convertTo(tmp, CvType.CV_32F, 3, shapePhase - 3 * rollAngle);
        Core.polarToCart(empty, tmp, cos, sin);
        cos.convertTo(tmp, CvType.CV_32F, shapeAmplitude, 1);       // non-round cross-section
        Core.multiply(radius, tmp, tmp);
        Core.add(tmp, new Scalar(R0), tmp);
        Core.divide(FOCAL, tmp, depth);
        Core.min(depth, new Scalar(Z_MAX), depth);

        // Look the wall up in the unrolled texture (extended so every coordinate is in range: no slow wrapping).
        double vOffset = floorMod(camZ * TEXTURE_ROWS_PER_UNIT, MucosaTexture.HEIGHT);
        depth.convertTo(mapY, CvType.CV_32F, TEXTURE_ROWS_PER_UNIT, vOffset);
        angle.convertTo(mapX, CvType.CV_32F, MucosaTexture.WIDTH / (2 * Math.PI), 0);
        Imgproc.remap(texture.colour, wall, mapX, mapY, Imgproc.INTER_LINEAR, Core.BORDER_REPLICATE);
        Imgproc.remap(texture.gloss, wallGloss, mapX, mapY, Imgproc.INTER_LINEAR, Core.BORDER_REPLICATE);

        Mat mask = Mat.zeros(height, width, CvType.CV_8U);
        int polyps = drawPolyps(camZ, roll, tilt, shapePhase, lumenCx, lumenCy, mask);

        // The endoscope's light: bright near the tip, falling off with depth (red carries furthest), dark in the
        // lumen's depth, shaped by the lens.
        Core.add(depth, new Scalar(0.3), tmp);
        Core.divide(lightReach, tmp, light);
        Core.min(light, new Scalar(MAX_LIGHT), light);
        depth.convertTo(tmp, CvType.CV_32F, -1 / (0.7 * Z_MAX), 1 / 0.7);
        Core.min(tmp, new Scalar(1), tmp);
        Core.multiply(light, tmp, light);
        Core.multiply(light, lens, light);
        Core.multiply(light, light, tmp);
        wallGloss.convertTo(specular, CvType.CV_32F, specularGain);
        Core.multiply(specular, tmp, specular);
        Core.addWeighted(light, 0.45, tmp, 0.55, 0, tmp);
        Core.merge(List.of(tmp, tmp, light), light3);
        Core.merge(List.of(specular, specular, specular), specular3);
        wall.convertTo(lit, CvType.CV_32FC3);
        Core.multiply(lit, light3, lit);
        Core.add(lit, specular3, lit);
        Mat image = new Mat();
        lit.convertTo(image, CvType.CV_8UC3);

        // Optics and sensor: breathing focus, motion smear, noise.
        double sigma = (0.5 + 0.9 * (0.5 + 0.5 * focusWobble.at(t))) * scale;
        Imgproc.GaussianBlur(image, image, new Size(0, 0), Math.max(0.3, sigma));
        double vx = (lumenCentreX(t + 0.02) - lumenCentreX(t - 0.02)) / 0.04 / FRAMES_PER_SECOND;
        double vy = (lumenCentreY(t + 0.02) - lumenCentreY(t - 0.02)) / 0.04 / FRAMES_PER_SECOND;
        double smear = Math.hypot(vx, vy);
        if (smear > 2.5 * scale) {
            motionBlur(image, vx, vy, Math.min(smear, 14 * scale));
        }
        int ox = (int) floorMod(mix(seed, index) & 0xffff, NOISE_MARGIN);
        int oy = (int) floorMod((mix(seed, index) >>> 16) & 0xffff, NOISE_MARGIN);
        Mat noise = sensorNoise.submat(oy, oy + height, ox, ox + width);
        Mat noisy = new Mat();
        Core.add(image, noise, noisy, empty, CvType.CV_8UC3);
        noisy.copyTo(image, fieldOfView);
        noisy.release();
        noise.release();

        Core.bitwise_and(mask, fieldOfView, mask);
        return new SimulatedFrame(index, image, mask, polyps);
    }

    private double lumenCentreX(double t) {
        return width * (0.5 + lumenRange * lumenX.at(t) + 0.15 * lumenSlow.at(t));
    }

    private double lumenCentreY(double t) {
        return height * (0.5 + lumenRange * lumenY.at(t) + 0.15 * lumenSlow.at(t + 37));
    }

    private void motionBlur(Mat image, double vx, double vy, double length) {
        int k = Math.max(3, ((int) Math.ceil(length)) | 1);
        Mat kernel = Mat.zeros(k, k, CvType.CV_32F);
        double n = Math.hypot(vx, vy);
        double c = (k - 1) / 2.0;
        Imgproc.line(kernel, new Point(c - vx / n * c, c - vy / n * c), new Point(c + vx / n * c, c + vy / n * c),
                new Scalar(1), 1, Imgproc.LINE_AA);
        Scalar sum = Core.sumElems(kernel);
        Core.divide(kernel, new Scalar(sum.val[0]), kernel);
        Imgproc.filter2D(image, image, -1, kernel);
        kernel.release();
    }

    /** Polyps of the wall segments within reach, drawn far to near; returns how many show in the frame. */
    private int drawPolyps(double camZ, double roll, double tilt, double shapePhase, double cx, double cy, Mat mask) {
        List<Polyp> visible = new ArrayList<>();
        long first = (long) Math.floor((camZ + POLYP_NEAREST) / SEGMENT_LENGTH);
        long last = (long) Math.floor((camZ + POLYP_FARTHEST) / SEGMENT_LENGTH);
        for (long segment = first; segment <= last; segment++) {
            for (Polyp p : polypsOf(segment)) {
                double z = p.depth - camZ;
                if (z >= POLYP_NEAREST && z <= POLYP_FARTHEST) {
                    visible.add(p);
                }
            }
        }
        visible.sort(Comparator.comparingDouble((Polyp p) -> p.depth).reversed());
        Set<Long> keep = new HashSet<>();
        int shown = 0;
        for (Polyp p : visible) {
            keep.add(p.id);
            double z = p.depth - camZ;
            double theta = 2 * Math.PI * (p.around - roll);
            double g = 1 + shapeAmplitude * Math.cos(3 * theta + shapePhase);
            double rr = (FOCAL / z - R0) / g;
            if (rr <= 0) {
                continue;
            }
            double px = cx + rr * Math.cos(theta) * scale;
            double py = cy + rr * Math.sin(theta) / tilt * scale;
            double tangential = p.radius * rr * scale;
            double radial = Math.max(0.55 * tangential, Math.min(tangential, p.radius * FOCAL / (z * z * g) * scale));
            double[] er = {Math.cos(theta), Math.sin(theta) / tilt};
            double[] et = {-Math.sin(theta), Math.cos(theta) / tilt};
            double a = radial / PolypSprite.RADIUS;
            double b = tangential / PolypSprite.RADIUS;
            double half = PolypSprite.SIZE / 2.0;
            double m00 = er[0] * a;
            double m01 = et[0] * b;
            double m10 = er[1] * a;
            double m11 = et[1] * b;
            double tx = px - m00 * half - m01 * half;
            double ty = py - m10 * half - m11 * half;
            Rect roi = bounds(m00, m01, m10, m11, tx, ty);
            if (roi == null) {
                continue;
            }
            PolypSprite sprite = sprites.computeIfAbsent(p.id,
                    id -> new PolypSprite(p.id, p.kind, texture.baseBgr));
            Mat affine = new Mat(2, 3, CvType.CV_64F);
            affine.put(0, 0, m00, m01, tx - roi.x, m10, m11, ty - roi.y);
            Size size = new Size(roi.width, roi.height);
            Imgproc.warpAffine(sprite.colour, spriteColour, affine, size, Imgproc.INTER_LINEAR,
                    Core.BORDER_CONSTANT, Scalar.all(0));
            Imgproc.warpAffine(sprite.aux, spriteAux, affine, size, Imgproc.INTER_LINEAR,
                    Core.BORDER_CONSTANT, Scalar.all(0));
            affine.release();
            if (composite(roi, mask)) {
                shown++;
            }
        }
        sprites.entrySet().removeIf(e -> {
            if (!keep.contains(e.getKey())) {
                e.getValue().close();
                return true;
            }
            return false;
        });
        return shown;
    }

    private Rect bounds(double m00, double m01, double m10, double m11, double tx, double ty) {
        double minX = Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        int s = PolypSprite.SIZE;
        for (int corner = 0; corner < 4; corner++) {
            double sx = (corner & 1) * s;
            double sy = (corner >> 1) * s;
            double x = m00 * sx + m01 * sy + tx;
            double y = m10 * sx + m11 * sy + ty;
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
        }
        int x0 = Math.max(0, (int) Math.floor(minX));
        int y0 = Math.max(0, (int) Math.floor(minY));
        int x1 = Math.min(width, (int) Math.ceil(maxX) + 1);
        int y1 = Math.min(height, (int) Math.ceil(maxY) + 1);
        if (x1 - x0 < 1 || y1 - y0 < 1) {
            return null;
        }
        return new Rect(x0, y0, x1 - x0, y1 - y0);
    }

    /** Blends the warped sprite into the wall inside {@code roi}; true when some of it lands in the field of view. */
    private boolean composite(Rect roi, Mat mask) {
        int n = roi.width * roi.height;
        byte[] colour = new byte[n * 4];
        byte[] aux = new byte[n * 2];
        spriteColour.get(0, 0, colour);
        spriteAux.get(0, 0, aux);
        Mat wallRoi = wall.submat(roi);
        Mat glossRoi = wallGloss.submat(roi);
        Mat maskRoi = mask.submat(roi);
        Mat fovRoi = fieldOfView.submat(roi);
        byte[] wallPixels = new byte[n * 3];
        byte[] glossPixels = new byte[n];
        byte[] maskPixels = new byte[n];
        byte[] fovPixels = new byte[n];
        wallRoi.get(0, 0, wallPixels);
        glossRoi.get(0, 0, glossPixels);
        maskRoi.get(0, 0, maskPixels);
        fovRoi.get(0, 0, fovPixels);
        boolean inView = false;
        for (int i = 0; i < n; i++) {
            int alpha = colour[4 * i + 3] & 0xff;
            int shadow = aux[2 * i + 1] & 0xff;
            if (alpha == 0 && shadow == 0) {
                continue;
            }
            double a = alpha / 255.0;
            double darken = 1 - 0.45 * (shadow / 255.0) * (1 - a);
            for (int ch = 0; ch < 3; ch++) {
                double under = (wallPixels[3 * i + ch] & 0xff) * darken;
                double over = colour[4 * i + ch] & 0xff;
                wallPixels[3 * i + ch] = (byte) Math.round(under * (1 - a) + over * a);
            }
            double g = (glossPixels[i] & 0xff) * (1 - a) + (aux[2 * i] & 0xff) * a;
            glossPixels[i] = (byte) Math.round(g);
            if (alpha >= 128) {
                maskPixels[i] = (byte) 255;
                if (fovPixels[i] != 0) {
                    inView = true;
                }
            }
        }
        wallRoi.put(0, 0, wallPixels);
        glossRoi.put(0, 0, glossPixels);
        maskRoi.put(0, 0, maskPixels);
        wallRoi.release();
        glossRoi.release();
        maskRoi.release();
        fovRoi.release();
        return inView;
    }

    /** The polyps on one stretch of the wall: none, one or several, each with its own look. */
    private List<Polyp> polypsOf(long segment) {
        Random rng = new Random(mix(seed, segment));
        double roll = rng.nextDouble();
        int count = roll < 0.3 ? 0 : roll < 0.75 ? 1 : roll < 0.93 ? 2 : 3;
        List<Polyp> out = new ArrayList<>(count);
        PolypKind[] kinds = PolypKind.values();
        for (int j = 0; j < count; j++) {
            double u = rng.nextDouble();
            double size = 0.12 + 0.5 * Math.pow(rng.nextDouble(), 1.4);
            PolypKind kind = kinds[rng.nextInt(kinds.length)];
            if (kind == PolypKind.FLAT) {
                size *= 1.3;
            }
            double depthAlong = (segment + rng.nextDouble()) * SEGMENT_LENGTH;
            out.add(new Polyp(mix(seed ^ 0x5DEECE66DL, segment * 8 + j), depthAlong, u, size, kind));
        }
        return out;
    }

    private record Polyp(long id, double depth, double around, double radius, PolypKind kind) {
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xC2B2AE3D27D4EB4FL + 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double floorMod(double value, double modulus) {
        double m = value % modulus;
        return m < 0 ? m + modulus : m;
    }

    @Override
    public void close() {
        sprites.values().forEach(PolypSprite::close);
        sprites.clear();
        texture.close();
        for (Mat m : new Mat[] {gridX, gridY, lens, fieldOfView, sensorNoise, dx, dy, radius, angle, tmp, cos, sin,
            depth, mapX, mapY, wall, wallGloss, light, specular, light3, specular3, lit, spriteColour, spriteAux,
            empty}) {
            m.release();
        }
    }
}
