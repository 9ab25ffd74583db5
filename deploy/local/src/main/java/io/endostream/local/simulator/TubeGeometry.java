package io.endostream.local.simulator;

import java.util.Random;

/**
 * The colon as a tube seen from inside: radius 1 on average, a non-round cross-section, and haustral folds (crescent
 * ridges that narrow the tube) at fixed places along it. For a camera at depth {@code camZ} looking down the axis it
 * ray-marches, per direction around the axis, which wall point each screen radius sees (nearer folds hide what lies
 * behind them) and how the endoscope's light at the tip falls on it (Lambert with the light at the camera, inverse
 * square falloff, a gamma like the camera's, and a specular term where the surface faces the lens).
 */
final class TubeGeometry {

    /** Directions around the axis in the lookup table (plus one wrapped column). */
    static final int ANGLES = 320;
    /** Screen-radius bins in the lookup table, spaced evenly in sqrt(radius) for detail near the lumen. */
    static final int BINS = 640;
    static final double Z_MIN = 0.12;
    static final double Z_MAX = 14;
    private static final double STEP = 1.012;
    private static final int PROFILE_SAMPLES = 1024;
    private static final double PROFILE_REACH = 3.2;

    final double focal;
    private final double foldPeriod;
    private final int folds;
    private final double[] foldCentre;
    private final double[] foldSigma;
    /** Per direction and fold: the fold's centre offset (wavy folds) and its height (crescents fade out). */
    private final double[][] centreAt;
    private final double[][] heightAt;
    private final double[] baseRadius;
    private final double lightGain;
    private final float[] profile = new float[PROFILE_SAMPLES + 1];
    /** Depth resolution of the precomputed radius profile, tube radii. */
    private static final double PROFILE_STEP = 0.004;
    private final double samplesPerUnit;
    private final float[][] radiusProfile;

    TubeGeometry(Random rng, double focal) {
        this.focal = focal;
        folds = 6 + rng.nextInt(4);
        foldPeriod = folds * (1.5 + 0.8 * rng.nextDouble());
        foldCentre = new double[folds];
        foldSigma = new double[folds];
        double[] height = new double[folds];
        double spacing = foldPeriod / folds;
        for (int f = 0; f < folds; f++) {
            foldCentre[f] = (f + 0.3 * (rng.nextDouble() - 0.5)) * spacing;
            foldSigma[f] = 0.06 + 0.08 * rng.nextDouble();
            height[f] = 0.06 + 0.24 * rng.nextDouble();
        }
        double shapeAmplitude = 0.04 + 0.1 * rng.nextDouble();
        double shapePhase = 2 * Math.PI * rng.nextDouble();
        centreAt = new double[ANGLES + 1][folds];
        heightAt = new double[ANGLES + 1][folds];
        baseRadius = new double[ANGLES + 1];
        double[][] wave = new double[folds][6];
        for (int f = 0; f < folds; f++) {
            wave[f][0] = 0.05 + 0.25 * rng.nextDouble();
            wave[f][1] = 1 + rng.nextInt(2);
            wave[f][2] = 2 * Math.PI * rng.nextDouble();
            wave[f][3] = 0.03 + 0.06 * rng.nextDouble();
            wave[f][4] = 3 + rng.nextInt(3);
            wave[f][5] = 2 * Math.PI * rng.nextDouble();
        }
        // Crescents: each fold's height varies around the circumference, reaching zero over part of it.
        double[][] fade = new double[folds][4];
        for (int f = 0; f < folds; f++) {
            fade[f][0] = 2 * Math.PI * rng.nextDouble();
            fade[f][1] = 0.5 + 0.6 * rng.nextDouble();
            fade[f][2] = 2 * Math.PI * rng.nextDouble();
            fade[f][3] = 0.2 + 0.3 * rng.nextDouble();
        }
        for (int a = 0; a <= ANGLES; a++) {
            double theta = 2 * Math.PI * (a % ANGLES) / ANGLES;
            baseRadius[a] = 1 + shapeAmplitude * Math.cos(3 * theta + shapePhase);
            for (int f = 0; f < folds; f++) {
                centreAt[a][f] = wave[f][0] * Math.sin(wave[f][1] * theta + wave[f][2])
                        + wave[f][3] * Math.sin(wave[f][4] * theta + wave[f][5]);
                double crescent = 0.3 + fade[f][1] * Math.cos(theta + fade[f][0])
                        + fade[f][3] * Math.cos(2 * theta + fade[f][2]);
                heightAt[a][f] = height[f] * Noise.clamp(crescent, 0, 1);
            }
        }
        for (int i = 0; i <= PROFILE_SAMPLES; i++) {
            double x = PROFILE_REACH * i / PROFILE_SAMPLES;
            profile[i] = (float) Math.exp(-0.5 * x * x);
        }
        lightGain = 2.0 + 0.8 * rng.nextDouble();
        // The radius along one fold period, per direction, sampled finely: marching then costs a lookup per step.
        int samples = (int) Math.ceil(foldPeriod / PROFILE_STEP);
        samplesPerUnit = samples / foldPeriod;
        radiusProfile = new float[ANGLES + 1][samples + 2];
        for (int a = 0; a < ANGLES; a++) {
            for (int k = 0; k < samples + 2; k++) {
                radiusProfile[a][k] = (float) computeRadius((k % samples) / samplesPerUnit, a);
            }
        }
    }

    /** Wall radius at world depth {@code w} in direction column {@code a}: a lookup in the precomputed profile. */
    double radius(double w, int a) {
        double k = (w - foldPeriod * Math.floor(w / foldPeriod)) * samplesPerUnit;
        int i = (int) k;
        double t = k - i;
        float[] profileOfColumn = radiusProfile[a];
        return profileOfColumn[i] * (1 - t) + profileOfColumn[i + 1] * t;
    }

    /** Wall radius at world depth {@code w} in direction column {@code a} (0..ANGLES), computed from the folds. */
    private double computeRadius(double w, int a) {
        double reduction = 0;
        double[] centres = centreAt[a];
        double[] heights = heightAt[a];
        double wrapped = w - foldPeriod * Math.floor(w / foldPeriod);
        for (int f = 0; f < folds; f++) {
            if (heights[f] == 0) {
                continue;
            }
            double d = wrapped - foldCentre[f] - centres[f];
            d -= foldPeriod * Math.floor(d / foldPeriod + 0.5);
            double x = Math.abs(d) / foldSigma[f];
            if (x < PROFILE_REACH) {
                reduction += heights[f] * profile[(int) (x * (PROFILE_SAMPLES / PROFILE_REACH))];
            }
        }
        return baseRadius[a] * (1 - reduction);
    }

    /** Wall radius without folds, for a world angle in radians. */
    double baseRadius(double angle) {
        double a = angle / (2 * Math.PI) * ANGLES;
        a -= ANGLES * Math.floor(a / ANGLES);
        int i = (int) a;
        double t = a - i;
        return baseRadius[i] * (1 - t) + baseRadius[i + 1] * t;
    }

    /** Screen radius (normalised pixels) of the lookup table's bin. */
    static double binRadius(int bin, double sqrtMax) {
        double s = bin * sqrtMax / (BINS - 1);
        return s * s;
    }

    /**
     * Fills {@code table} (BINS rows x (ANGLES + 1) columns x 3: depth, light, specular) for a camera at world depth
     * {@code camZ}; screen radii up to {@code rhoMax} normalised pixels.
     */
    void fill(double camZ, double rhoMax, float[] table) {
        double sqrtMax = Math.sqrt(rhoMax);
        int stride = (ANGLES + 1) * 3;
        for (int a = 0; a < ANGLES; a++) {
            int bin = BINS - 1;
            double z = Z_MIN;
            double prevZ = z;
            double prevR = radius(camZ + z, a);
            double slope = 0;
            while (z < Z_MAX && bin >= 0) {
                double r = radius(camZ + z, a);
                if (z > prevZ) {
                    slope = (r - prevR) / (z - prevZ);
                }
                double rhoWall = focal * r / z;
                if (binRadius(bin, sqrtMax) >= rhoWall) {
                    double d2 = z * z + r * r;
                    double facing = (r - z * slope) / (Math.sqrt(1 + slope * slope) * Math.sqrt(d2));
                    facing = Math.max(0.03, facing);
                    float light = (float) Math.sqrt(Math.min(1.1, lightGain * facing / d2));
                    double f2 = facing * facing;
                    double f4 = f2 * f2;
                    double f12 = f4 * f4 * f4;
                    float specular = (float) (f12 * f12 * Math.min(1, 1.5 / d2));
                    while (bin >= 0 && binRadius(bin, sqrtMax) >= rhoWall) {
                        int i = bin * stride + a * 3;
                        table[i] = (float) z;
                        table[i + 1] = light;
                        table[i + 2] = specular;
                        bin--;
                    }
                }
                prevZ = z;
                prevR = r;
                z *= STEP;
            }
            for (; bin >= 0; bin--) {
                int i = bin * stride + a * 3;
                table[i] = (float) Z_MAX;
                table[i + 1] = 0;
                table[i + 2] = 0;
            }
        }
        for (int bin = 0; bin < BINS; bin++) {
            int row = bin * stride;
            System.arraycopy(table, row, table, row + ANGLES * 3, 3);
        }
    }
}
