package io.endostream.local.simulator;

import java.util.Random;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * One polyp drawn once, face-on, in a square canvas, as a change to the wall beneath rather than a sticker on it: the
 * mucosa (its texture and vessels) continues over the polyp, which shows through its colour (redder, paler, darker or
 * nearly the same), its dome shading, its surface pattern and the shadow at its foot. The renderer warps it onto the
 * colon wall every frame.
 */
final class PolypSprite implements AutoCloseable {

    /** Canvas side in pixels. */
    static final int SIZE = 256;
    /** Radius of the polyp's mean outline in the canvas, pixels. */
    static final double RADIUS = 78;
    /** 8-bit fixed point of the colour factor: 128 leaves the wall as it is. */
    static final double FACTOR_ONE = 128;

    /**
     * CV_8UC4: per-channel colour factor for the wall (B, G, R; {@link #FACTOR_ONE} = unchanged) and alpha (the
     * polyp's coverage; alpha >= 128 is the polyp).
     */
    final Mat colour;
    /** CV_8UC1: glint (the specular highlight on the dome). */
    final Mat gloss;

    PolypSprite(long seed, PolypKind kind) {
        Random rng = new Random(seed);
        int n = SIZE;
        double c = n / 2.0;
        // Outline: a wobbly circle; lobulated polyps get stronger high-frequency lobes.
        int harmonics = 6;
        double[] amp = new double[harmonics + 1];
        double[] phase = new double[harmonics + 1];
        for (int k = 2; k <= harmonics; k++) {
            double scale = kind == PolypKind.LOBULATED ? (k >= 4 ? 0.06 : 0.05) : 0.06 / (k - 1);
            amp[k] = scale * (0.3 + rng.nextDouble());
            phase[k] = 2 * Math.PI * rng.nextDouble();
        }
        double flatness = switch (kind) {
            case SESSILE -> 0.7 + 0.3 * rng.nextDouble();
            case FLAT -> 0.3 + 0.15 * rng.nextDouble();
            case LOBULATED -> 0.9;
            case PEDUNCULATED -> 1.2;
        };
        double[] tint = tint(kind, rng);
        float[] pits = Noise.tileable(rng, n, n, 4);
        float[] lobes = Noise.tileable(rng, n, n, 32);
        float[] blotch = Noise.tileable(rng, n, n, 64);
        float[] sparkle = Noise.tileable(rng, n, n, 8);
        double pitStrength = 0.01 + 0.03 * rng.nextDouble();
        double lobeStrength = kind == PolypKind.LOBULATED ? 0.12 : 0.03 + 0.04 * rng.nextDouble();
        // Highlight where the dome faces the lens: off-centre towards +x (the canvas' +x is turned to face away from
        // the lumen, towards the camera). The shadow falls the other way, towards the lumen.
        double hx = 0.12 + 0.25 * rng.nextDouble();
        double hy = (rng.nextDouble() - 0.5) * 0.5;
        double hr = 0.09 + 0.1 * rng.nextDouble();
        double shadowShift = 0.12 + 0.12 * rng.nextDouble();

        byte[] factors = new byte[n * n * 4];
        byte[] glints = new byte[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                double dx = (x + 0.5 - c) / RADIUS;
                double dy = (y + 0.5 - c) / RADIUS;
                double phi = Math.atan2(dy, dx);
                double edge = 1;
                for (int k = 2; k <= harmonics; k++) {
                    edge += amp[k] * Math.cos(k * phi + phase[k]);
                }
                double rho = Math.sqrt(dx * dx + dy * dy) / edge;
                int i = y * n + x;
                double alpha = Noise.clamp((1 - rho) * RADIUS * edge + 0.5, 0, 1);
                // Soft shadow around the foot, shifted towards the lumen.
                double sx = dx + shadowShift;
                double shadowRho = Math.sqrt(sx * sx + dy * dy) / (edge * 1.08);
                double outside = Math.max(0, shadowRho - 0.92);
                double shadow = Math.exp(-outside * outside / 0.03) * (1 - alpha);
                double wallFactor = 1 - 0.28 * shadow;
                double r2 = Math.min(1, rho * rho);
                double heightProfile = Math.pow(1 - r2, 0.5 * flatness);
                double slope = rho < 0.999 ? flatness * rho / Math.sqrt(1 - r2 + 1e-3) : 20;
                double nz = 1 / Math.sqrt(1 + 0.3 * slope * slope);
                // Brighter on top (nearer the light at the tip), darker towards the rim where the dome turns away.
                double rim = smoothstep(0.7, 1.0, rho);
                double shade = (0.62 + 0.55 * nz + 0.18 * heightProfile) * (1 - 0.22 * rim)
                        * (1 + pitStrength * pits[i] + lobeStrength * lobes[i] + 0.05 * blotch[i]);
                for (int ch = 0; ch < 3; ch++) {
                    double factor = wallFactor * (1 - alpha) + tint[ch] * shade * alpha;
                    factors[4 * i + ch] = (byte) Math.round(Noise.clamp(FACTOR_ONE * factor, 0, 255));
                }
                factors[4 * i + 3] = (byte) Math.round(255 * alpha);
                if (alpha > 0) {
                    double hdx = dx - hx;
                    double hdy = dy - hy;
                    double highlight = Math.exp(-(hdx * hdx + hdy * hdy) / (hr * hr));
                    double sparkles = Math.max(0, sparkle[i] - 2.4) * 0.8 * nz;
                    double value = Math.min(1, 1.5 * highlight) * (0.75 + 0.25 * Noise.clamp(1 + lobes[i], 0, 1))
                            + sparkles;
                    glints[i] = (byte) Math.round(255 * Noise.clamp(value * alpha, 0, 1));
                }
            }
        }
        colour = new Mat(n, n, CvType.CV_8UC4);
        colour.put(0, 0, factors);
        gloss = new Mat(n, n, CvType.CV_8UC1);
        gloss.put(0, 0, glints);
    }

    private static double smoothstep(double edge0, double edge1, double x) {
        double t = Noise.clamp((x - edge0) / (edge1 - edge0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    /** How the polyp's colour departs from the mucosa's (B, G, R factors). */
    private static double[] tint(PolypKind kind, Random rng) {
        double style = rng.nextDouble();
        double[] out;
        if (style < 0.35) {
            out = new double[] {0.76, 0.66, 1.02};       // redder adenoma
        } else if (style < 0.6) {
            out = new double[] {1.22, 1.16, 1.04};       // paler, hyperplastic-looking
        } else if (style < 0.85) {
            out = new double[] {0.7, 0.62, 0.84};        // darker, congested
        } else {
            out = new double[] {1.0, 0.93, 1.0};         // much like the mucosa: the hard case
        }
        if (kind == PolypKind.LOBULATED) {
            out[1] *= 0.92;
            out[0] *= 0.94;
        }
        double jitter = 0.95 + 0.1 * rng.nextDouble();
        for (int i = 0; i < 3; i++) {
            out[i] *= jitter;
        }
        return out;
    }

    @Override
    public void close() {
        colour.release();
        gloss.release();
    }
}
