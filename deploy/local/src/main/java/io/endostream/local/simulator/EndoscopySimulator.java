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
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * Synthetic colonoscopy video with exact polyp masks, deterministic from a seed.
 *
 * <p>The camera looks down a tube (the colon) with haustral folds ({@link TubeGeometry}) whose wall carries a seeded
 * {@link MucosaTexture}. Per frame the tube is ray-marched into a small lookup table (depth, light, specular per
 * direction and screen radius) that is sampled at half resolution; the wall's colour and gloss are looked up at full
 * resolution. The endoscope's light sits at the tip, so folds facing the lens light up, their far sides and the lumen
 * fall dark, and wet surfaces facing the lens reflect white highlights. The camera drifts smoothly (lumen position,
 * advance and withdrawal, roll, tilt), focus breathes, fast motion smears, the sensor adds noise, and the optics give a
 * circular, vignetted field of view. Polyps sit at fixed places on the wall, so they come into view, grow and pass as
 * the camera moves; a polyp behind a nearer fold is hidden where the fold stands in front of it (a depth test against
 * the ray-marched tube), and the mask is exactly the pixels where a polyp is drawn, i.e. its visible part.
 *
 * <p>Frame {@code i} depends only on the seed, the size and {@code i} ({@link #frame(int)}); {@link #next()} plays them
 * in order as a continuous 25 fps video. Not thread-safe: use one simulator per thread. Close it to free its native
 * memory (about 30 MB of textures).
 */
public final class EndoscopySimulator implements AutoCloseable {

    static {
        Native.loadOpenCv(); // before the Mat fields below are created
    }

    /** The time base of the camera motion: frame i is at i / 25 seconds. */
    public static final double FRAMES_PER_SECOND = 25;

    // Geometry, in units of the tube radius and of "normalised pixels" (the frame scaled to a height of 576).
    private static final double FOCAL = 280;
    private static final double SEGMENT_LENGTH = 3.0;
    private static final double POLYP_NEAREST = 0.55;
    private static final double POLYP_FARTHEST = 3.2;
    private static final int NOISE_MARGIN = 32;
    /** 8-bit fixed point for light (1.0 = 200, so up to 1.27) and specular factor (1.0 = 64, up to ~4). */
    private static final double LIGHT_ONE = 200;
    private static final double SPECULAR_ONE = 64;
    private static final double GLINT_GAIN = 1.1;
    /**
     * The depth test's slack: a polyp pixel is hidden where the first surface along its ray is nearer than the polyp's
     * near edge (its centre depth minus the depth its drawn outline spans towards the camera) times this factor of
     * that span; only something in front of the whole polyp, a fold's crest, hides it.
     */
    static final double OCCLUSION_SLACK = 1.15;

    private final long seed;
    private final int width;
    private final int height;
    private final int halfWidth;
    private final int halfHeight;
    private final double scale;
    private final MucosaTexture texture;
    private final double textureRowsPerUnit;
    private final TubeGeometry tube;
    private final float[] tableValues = new float[TubeGeometry.BINS * (TubeGeometry.ANGLES + 1) * 3];

    private final Wobble lumenX;
    private final Wobble lumenY;
    private final Wobble lumenSlow;
    private final Wobble advance;
    private final Wobble rollWobble;
    private final Wobble tiltWobble;
    private final Wobble focusWobble;
    private final double speed;
    private final double startDepth;
    private final double rollDrift;
    private final double specularGain;
    private final double lumenRange;

    // Fixed per size: pixel coordinates (normalised) at full and half resolution, lens shading, field of view, noise.
    private final Mat gridX;
    private final Mat gridY;
    private final Mat halfGridX;
    private final Mat halfGridY;
    private final Mat halfLens;
    private final Mat fieldOfView;
    private final Mat sensorNoise;

    // Work buffers, reused frame to frame.
    private final Mat table = new Mat(TubeGeometry.BINS, TubeGeometry.ANGLES + 1, CvType.CV_32FC3);
    /** Offsets from the lumen centre, and the angle around the tube, at full [0] and half [1] resolution. */
    private final Mat[] dx = {new Mat(), new Mat()};
    private final Mat[] dy = {new Mat(), new Mat()};
    private final Mat[] rx = {new Mat(), new Mat()};
    private final Mat[] ry = {new Mat(), new Mat()};
    private final Mat[] angle = {new Mat(), new Mat()};
    private final Mat fixedMapXY = new Mat();
    private final Mat fixedMapFraction = new Mat();
    private final Mat halfRadius = new Mat();
    private final Mat halfMapX = new Mat();
    private final Mat halfMapY = new Mat();
    private final Mat halfSampled = new Mat();
    private final List<Mat> halfChannels = new ArrayList<>();
    private final Mat halfLightSquared = new Mat();
    private final Mat halfBlueGreen = new Mat();
    private final Mat halfSpecular = new Mat();
    private final Mat halfLight3 = new Mat();
    private final Mat halfLight8 = new Mat();
    private final Mat halfSpecular8 = new Mat();
    private final Mat light3 = new Mat();
    private final Mat specularFactor = new Mat();
    private final Mat depth = new Mat();
    private final Mat mapX = new Mat();
    private final Mat mapY = new Mat();
    private final Mat wall = new Mat();
    private final Mat wallGloss = new Mat();
    private final Mat specular = new Mat();
    private final Mat specular2 = new Mat();
    private final List<Mat> specularParts = new ArrayList<>();
    private final Mat halfSpecular2 = new Mat();
    private final Mat spriteGloss2 = new Mat();
    private final Mat noGloss = new Mat();
    private final Mat specular3 = new Mat();
    private final Mat spriteColour = new Mat();
    private final Mat spriteFactor = new Mat();
    private final Mat spriteAlpha = new Mat();
    private final Mat spriteGloss = new Mat();
    private final Mat hidden = new Mat();
    private final boolean occlusion;

    private final Map<Long, PolypSprite> sprites = new HashMap<>();
    private int nextIndex;

    /**
     * @param seed   everything (texture, palette, folds, camera path, polyps) derives from it
     * @param width  frame width in pixels (>= 32)
     * @param height frame height in pixels (>= 32)
     */
    public EndoscopySimulator(long seed, int width, int height) {
        this(seed, width, height, true);
    }

    /**
     * As {@link #EndoscopySimulator(long, int, int)}; {@code occlusion = false} pastes every polyp over whatever is in
     * front of it (the simulator before the depth test; tests compare the two).
     */
    EndoscopySimulator(long seed, int width, int height, boolean occlusion) {
        this.occlusion = occlusion;
        if (width < 32 || height < 32) {
            throw new IllegalArgumentException("frame size must be at least 32x32, was " + width + "x" + height);
        }
        this.seed = seed;
        this.width = width;
        this.height = height;
        this.halfWidth = (width + 1) / 2;
        this.halfHeight = (height + 1) / 2;
        this.scale = Math.min(width, height) / 576.0;
        Random rng = new Random(seed);
        // Small frames get a coarser texture: they could not show the detail, and it builds much faster.
        int coarsening = scale >= 0.75 ? 0 : scale >= 0.375 ? 1 : 2;
        texture = new MucosaTexture(new Random(rng.nextLong()), coarsening);
        // Texture rows per tube radius of depth: the same density as around the circumference, so no stretching.
        textureRowsPerUnit = texture.width / (2 * Math.PI);
        tube = new TubeGeometry(new Random(rng.nextLong()), FOCAL);
        lumenX = new Wobble(rng, 3, 0.02, 0.12);
        lumenY = new Wobble(rng, 3, 0.02, 0.12);
        lumenSlow = new Wobble(rng, 2, 0.005, 0.02);
        advance = new Wobble(rng, 3, 0.03, 0.15);
        rollWobble = new Wobble(rng, 2, 0.02, 0.1);
        tiltWobble = new Wobble(rng, 2, 0.03, 0.12);
        focusWobble = new Wobble(rng, 3, 0.05, 0.4);
        speed = (rng.nextBoolean() ? 1 : -1) * (0.12 + 0.2 * rng.nextDouble());
        startDepth = 1000 * rng.nextDouble();
        rollDrift = (rng.nextDouble() - 0.5) * 0.02;
        specularGain = 1.2 + 0.8 * rng.nextDouble();
        lumenRange = 0.22 + 0.14 * rng.nextDouble();

        gridX = coordinates(width, height, 1, true);
        gridY = coordinates(width, height, 1, false);
        halfGridX = coordinates(halfWidth, halfHeight, 2, true);
        halfGridY = coordinates(halfWidth, halfHeight, 2, false);

        float[] lensValues = new float[halfWidth * halfHeight];
        double fovRadius = 0.5 * Math.hypot(width, height) * 0.84;
        for (int y = 0; y < halfHeight; y++) {
            for (int x = 0; x < halfWidth; x++) {
                double d = Math.hypot(2 * x + 1 - width / 2.0, 2 * y + 1 - height / 2.0);
                double edge = Noise.clamp((fovRadius - d) / 2 + 0.5, 0, 1);
                lensValues[y * halfWidth + x] = (float) (edge * (1 - 0.45 * Math.pow(d / fovRadius, 2.5)));
            }
        }
        halfLens = new Mat(halfHeight, halfWidth, CvType.CV_32F);
        halfLens.put(0, 0, lensValues);
        byte[] fovValues = new byte[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double d = Math.hypot(x + 0.5 - width / 2.0, y + 0.5 - height / 2.0);
                fovValues[y * width + x] = (byte) (d <= fovRadius ? 255 : 0);
            }
        }
        fieldOfView = new Mat(height, width, CvType.CV_8U);
        fieldOfView.put(0, 0, fovValues);

        int nh = height + NOISE_MARGIN;
        int nw = width + NOISE_MARGIN;
        short[] noise = new short[nh * nw * 3];
        double noiseSigma = 1.5 + 2.5 * rng.nextDouble();
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (short) Math.round(rng.nextGaussian() * noiseSigma);
        }
        sensorNoise = new Mat(nh, nw, CvType.CV_16SC3);
        sensorNoise.put(0, 0, noise);
    }

    /** Normalised pixel-centre coordinates of a grid whose cells are {@code step} frame pixels wide. */
    private Mat coordinates(int columns, int rows, int step, boolean horizontal) {
        float[] values = new float[columns * rows];
        for (int y = 0; y < rows; y++) {
            for (int x = 0; x < columns; x++) {
                double v = horizontal ? step * x + step / 2.0 : step * y + step / 2.0;
                values[y * columns + x] = (float) (v / scale);
            }
        }
        Mat m = new Mat(rows, columns, CvType.CV_32F);
        m.put(0, 0, values);
        return m;
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
        double rollAngle = 2 * Math.PI * roll;
        double cx = lumenCx / scale;
        double cy = lumenCy / scale;

        // Which wall point each pixel sees: ray-march the tube into a table by direction and screen radius...
        double rhoMax = 2;
        for (int corner = 0; corner < 4; corner++) {
            double ex = (corner & 1) * width / scale - cx;
            double ey = ((corner >> 1) * height / scale - cy) * tilt;
            rhoMax = Math.max(rhoMax, Math.hypot(ex, ey) + 2);
        }
        tube.fill(camZ, rhoMax, tableValues);
        table.put(0, 0, tableValues);

        // ...sample it at half resolution (depth, light and specular are smooth) and shade there...
        worldAngle(1, halfGridX, halfGridY, cx, cy, tilt, rollAngle);
        Core.magnitude(dx[1], dy[1], halfRadius);
        Core.sqrt(halfRadius, halfRadius);
        halfRadius.convertTo(halfMapY, CvType.CV_32F, (TubeGeometry.BINS - 1) / Math.sqrt(rhoMax));
        angle[1].convertTo(halfMapX, CvType.CV_32F, TubeGeometry.ANGLES / (2 * Math.PI));
        Imgproc.remap(table, halfSampled, halfMapX, halfMapY, Imgproc.INTER_LINEAR, Core.BORDER_REPLICATE);
        Core.split(halfSampled, halfChannels);
        Mat halfDepth = halfChannels.get(0);
        Mat halfLight = halfChannels.get(1);
        Mat halfFacing = halfChannels.get(2);
        Core.multiply(halfLight, halfLens, halfLight);
        Core.multiply(halfLight, halfLight, halfLightSquared);
        // Specular: sheen shines where the surface faces the lens (the table's term); glints (droplets, the tops of
        // polyps) wherever the light is bright.
        Core.multiply(halfFacing, halfLens, halfFacing, specularGain);
        Core.multiply(halfLightSquared, new Scalar(GLINT_GAIN), halfSpecular);
        Core.merge(List.of(halfFacing, halfSpecular), halfSpecular2);
        // Red light carries further through the tissue than blue and green.
        Core.addWeighted(halfLight, 0.45, halfLightSquared, 0.55, 0, halfBlueGreen);
        Core.merge(List.of(halfBlueGreen, halfBlueGreen, halfLight), halfLight3);
        // Light and specular go to 8 bits (fixed point: light x LIGHT_ONE, specular x SPECULAR_ONE) so the
        // full-resolution work is cheap integer arithmetic.
        halfLight3.convertTo(halfLight8, CvType.CV_8UC3, LIGHT_ONE);
        halfSpecular2.convertTo(halfSpecular8, CvType.CV_8UC2, SPECULAR_ONE);
        Size full = new Size(width, height);
        Imgproc.resize(halfLight8, light3, full, 0, 0, Imgproc.INTER_LINEAR);
        Imgproc.resize(halfSpecular8, specularFactor, full, 0, 0, Imgproc.INTER_LINEAR);
        Imgproc.resize(halfDepth, depth, full, 0, 0, Imgproc.INTER_LINEAR);

        // ...and look the wall's colour and gloss up at full resolution.
        worldAngle(0, gridX, gridY, cx, cy, tilt, rollAngle);
        double vOffset = floorMod(camZ * textureRowsPerUnit, texture.height);
        depth.convertTo(mapY, CvType.CV_32F, textureRowsPerUnit, vOffset);
        angle[0].convertTo(mapX, CvType.CV_32F, texture.width / (2 * Math.PI), 0);
        Imgproc.convertMaps(mapX, mapY, fixedMapXY, fixedMapFraction, CvType.CV_16SC2, false);
        Imgproc.remap(texture.colour, wall, fixedMapXY, fixedMapFraction, Imgproc.INTER_LINEAR, Core.BORDER_WRAP);
        Imgproc.remap(texture.gloss, wallGloss, fixedMapXY, fixedMapFraction, Imgproc.INTER_LINEAR,
                Core.BORDER_WRAP);

        Mat mask = Mat.zeros(height, width, CvType.CV_8U);
        int polyps = drawPolyps(camZ, roll, tilt, lumenCx, lumenCy, mask);

        // Lit colour = albedo x light + white specular (saturating 8-bit arithmetic).
        Mat image = new Mat();
        Core.multiply(wall, light3, image, 1.0 / LIGHT_ONE);
        Core.multiply(wallGloss, specularFactor, specular2, 1.0 / SPECULAR_ONE);
        Core.split(specular2, specularParts);
        Core.add(specularParts.get(0), specularParts.get(1), specular);
        Core.merge(List.of(specular, specular, specular), specular3);
        Core.add(image, specular3, image);

        // Optics and sensor: breathing focus, motion smear, noise.
        double sigma = (0.5 + 0.8 * (0.5 + 0.5 * focusWobble.at(t))) * scale;
        int kernel = sigma < 0.9 ? 3 : sigma < 1.4 ? 5 : 7;
        Imgproc.GaussianBlur(image, image, new Size(kernel, kernel), Math.max(0.3, sigma));
        double vx = (lumenCentreX(t + 0.02) - lumenCentreX(t - 0.02)) / 0.04 / FRAMES_PER_SECOND;
        double vy = (lumenCentreY(t + 0.02) - lumenCentreY(t - 0.02)) / 0.04 / FRAMES_PER_SECOND;
        int smearX = (int) Math.min(Math.abs(vx) * 1.5, 12 * scale);
        int smearY = (int) Math.min(Math.abs(vy) * 1.5, 12 * scale);
        if (smearX >= 3 || smearY >= 3) {
            Imgproc.blur(image, image, new Size(Math.max(1, smearX), Math.max(1, smearY)));
        }
        int ox = (int) floorMod(mix(seed, index) & 0xffff, NOISE_MARGIN);
        int oy = (int) floorMod((mix(seed, index) >>> 16) & 0xffff, NOISE_MARGIN);
        Mat noise = sensorNoise.submat(oy, oy + height, ox, ox + width);
        Core.add(image, noise, image, fieldOfView, CvType.CV_8UC3);
        noise.release();

        Core.bitwise_and(mask, fieldOfView, mask);
        return new SimulatedFrame(index, image, mask, polyps);
    }

    /**
     * Fills {@code dx}, {@code dy} (offsets from the lumen centre) and {@code angle} (around the tube, in the world
     * frame) at resolution {@code level} (0 full, 1 half).
     */
    private void worldAngle(int level, Mat xs, Mat ys, double cx, double cy, double tilt, double rollAngle) {
        Core.subtract(xs, new Scalar(cx), dx[level]);
        Core.subtract(ys, new Scalar(cy), dy[level]);
        Core.multiply(dy[level], new Scalar(tilt), dy[level]);
        Core.addWeighted(dx[level], Math.cos(rollAngle), dy[level], -Math.sin(rollAngle), 0, rx[level]);
        Core.addWeighted(dx[level], Math.sin(rollAngle), dy[level], Math.cos(rollAngle), 0, ry[level]);
        Core.phase(rx[level], ry[level], angle[level]);
    }

    private double lumenCentreX(double t) {
        return width * (0.5 + lumenRange * lumenX.at(t) + 0.15 * lumenSlow.at(t));
    }

    private double lumenCentreY(double t) {
        return height * (0.5 + lumenRange * lumenY.at(t) + 0.15 * lumenSlow.at(t + 37));
    }

    /** Polyps of the wall segments within reach, drawn far to near; returns how many show in the frame. */
    private int drawPolyps(double camZ, double roll, double tilt, double cx, double cy, Mat mask) {
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
            double worldAngle = 2 * Math.PI * p.around;
            double theta = worldAngle - 2 * Math.PI * roll;
            double wallRadius = tube.baseRadius(worldAngle);
            double rr = FOCAL * wallRadius / z;
            double px = cx + rr * Math.cos(theta) * scale;
            double py = cy + rr * Math.sin(theta) / tilt * scale;
            // Across the tube the polyp shows at full width; along it the wall is foreshortened, but the polyp
            // stands out of the wall, so it never looks flatter than about half its width.
            double tangential = p.radius * FOCAL / z * scale;
            double radial = Math.max(0.55 * tangential, Math.min(tangential, tangential * wallRadius / z));
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
                    id -> new PolypSprite(p.id, p.kind));
            Mat affine = new Mat(2, 3, CvType.CV_64F);
            affine.put(0, 0, m00, m01, tx - roi.x, m10, m11, ty - roi.y);
            Size size = new Size(roi.width, roi.height);
            double one = PolypSprite.FACTOR_ONE;
            Imgproc.warpAffine(sprite.colour, spriteColour, affine, size, Imgproc.INTER_LINEAR,
                    Core.BORDER_CONSTANT, new Scalar(one, one, one, 0));
            Imgproc.warpAffine(sprite.gloss, spriteGloss, affine, size, Imgproc.INTER_LINEAR,
                    Core.BORDER_CONSTANT, Scalar.all(0));
            affine.release();
            if (occlusion) {
                // depth span of the drawn outline towards the camera: its radial screen extent over d(rho)/dz
                double nearSpan = p.radius * (radial / tangential) * z / wallRadius;
                hideBehindNearerWall(roi, z - OCCLUSION_SLACK * nearSpan);
            }
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

    /**
     * Where the wall seen in {@code roi} (the ray-marched depth: the first surface along each pixel's ray) is nearer
     * than {@code nearestPolypDepth}, a fold stands between the camera and the polyp: the warped sprite becomes
     * neutral there (no tint, shadow, highlight or mask), so image and label both show only the visible part.
     */
    private void hideBehindNearerWall(Rect roi, double nearestPolypDepth) {
        Mat depthRoi = depth.submat(roi);
        try {
            Core.compare(depthRoi, new Scalar(nearestPolypDepth), hidden, Core.CMP_LT);
            double one = PolypSprite.FACTOR_ONE;
            spriteColour.setTo(new Scalar(one, one, one, 0), hidden);
            spriteGloss.setTo(Scalar.all(0), hidden);
        } finally {
            depthRoi.release();
        }
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

    /** Applies the warped sprite to the wall inside {@code roi}; true when some of it lands in the field of view. */
    private boolean composite(Rect roi, Mat mask) {
        Mat wallRoi = wall.submat(roi);
        Mat glossRoi = wallGloss.submat(roi);
        Mat maskRoi = mask.submat(roi);
        Mat fovRoi = fieldOfView.submat(roi);
        try {
            // Colour: the wall's albedo times the polyp's factor (tint and dome shading inside, shadow around it).
            Imgproc.cvtColor(spriteColour, spriteFactor, Imgproc.COLOR_BGRA2BGR);
            Core.multiply(wallRoi, spriteFactor, wallRoi, 1 / PolypSprite.FACTOR_ONE);
            // Gloss: the dome's highlight joins the glint channel.
            if (noGloss.cols() != spriteGloss.cols() || noGloss.rows() != spriteGloss.rows()) {
                noGloss.create(spriteGloss.size(), CvType.CV_8U);
            }
            noGloss.setTo(Scalar.all(0));
            Core.merge(List.of(noGloss, spriteGloss), spriteGloss2);
            Core.max(glossRoi, spriteGloss2, glossRoi);
            // The mask: where the polyp covers at least half the pixel.
            Core.extractChannel(spriteColour, spriteAlpha, 3);
            Imgproc.threshold(spriteAlpha, spriteAlpha, 127, 255, Imgproc.THRESH_BINARY);
            Core.bitwise_or(maskRoi, spriteAlpha, maskRoi);
            Core.bitwise_and(spriteAlpha, fovRoi, spriteAlpha);
            return Core.countNonZero(spriteAlpha) > 0;
        } finally {
            wallRoi.release();
            glossRoi.release();
            maskRoi.release();
            fovRoi.release();
        }
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
        halfChannels.forEach(Mat::release);
        specularParts.forEach(Mat::release);
        for (Mat[] pair : List.of(dx, dy, rx, ry, angle)) {
            pair[0].release();
            pair[1].release();
        }
        for (Mat m : new Mat[] {gridX, gridY, halfGridX, halfGridY, halfLens, fieldOfView, sensorNoise, table,
            fixedMapXY, fixedMapFraction, halfRadius, halfMapX, halfMapY, halfSampled, halfLightSquared, halfBlueGreen,
            halfSpecular, halfLight3, halfLight8, halfSpecular8, light3, specularFactor, depth, mapX, mapY, wall,
            wallGloss, specular, specular3, spriteColour, spriteFactor, spriteAlpha, spriteGloss, spriteGloss2, noGloss,
            specular2, halfSpecular2, hidden}) {
            m.release();
        }
    }
}
