package io.endostream.local.simulator;

import java.util.Random;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

/**
 * One polyp drawn once, face-on, in a square canvas: colour with alpha (the exact outline), plus gloss and the soft
 * shadow it casts on the wall around its base. The renderer warps it onto the colon wall every frame.
 */
final class PolypSprite implements AutoCloseable {

    /** Canvas side in pixels. */
    static final int SIZE = 256;
    /** Radius of the polyp's mean outline in the canvas, pixels. */
    static final double RADIUS = 78;

    /** CV_8UC4: B, G, R, alpha (alpha >= 128 is the polyp). */
    final Mat colour;
    /** CV_8UC2: gloss, shadow. */
    final Mat aux;

    PolypSprite(long seed, PolypKind kind, double[] mucosaBgr) {
        Random rng = new Random(seed);
        int n = SIZE;
        double c = n / 2.0;
        // Outline: a wobbly circle; lobulated polyps get stronger high-frequency lobes.
        int harmonics = 6;
        double[] amp = new double[harmonics + 1];
        double[] phase = new double[harmonics + 1];
        for (int k = 2; k <= harmonics; k++) {
            double scale = kind == PolypKind.LOBULATED ? (k >= 4 ? 0.07 : 0.05) : 0.05 / (k - 1);
            amp[k] = scale * (0.3 + rng.nextDouble());
            phase[k] = 2 * Math.PI * rng.nextDouble();
        }
        double flatness = switch (kind) {
            case SESSILE -> 0.7 + 0.3 * rng.nextDouble();
            case FLAT -> 0.25 + 0.15 * rng.nextDouble();
            case LOBULATED -> 0.9;
            case PEDUNCULATED -> 1.1;
        };
        double[] tint = tint(kind, rng, mucosaBgr);
        float[] pits = Noise.tileable(rng, n, n, 4);
        float[] lobes = Noise.tileable(rng, n, n, 32);
        float[] blotch = Noise.tileable(rng, n, n, 64);
        float[] sparkle = Noise.tileable(rng, n, n, 8);
        double pitStrength = 0.05 + 0.1 * rng.nextDouble();
        double lobeStrength = kind == PolypKind.LOBULATED ? 0.16 : 0.05 + 0.05 * rng.nextDouble();
        // Highlight where the dome faces the camera: slightly off-centre, towards +x (away from the lumen).
        double hx = 0.15 + 0.25 * rng.nextDouble();
        double hy = (rng.nextDouble() - 0.5) * 0.5;
        double hr = 0.10 + 0.12 * rng.nextDouble();

        byte[] bgra = new byte[n * n * 4];
        byte[] glossShadow = new byte[n * n * 2];
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
                double distPx = (1 - rho) * RADIUS * edge; // > 0 inside
                double alpha = Noise.clamp(distPx + 0.5, 0, 1);
                // Base shadow: a soft dark ring around the foot of the polyp.
                double outside = Math.max(0, rho - 1);
                double shadow = rho < 1 ? 1 : Math.exp(-outside * outside / 0.012);
                glossShadow[2 * i + 1] = (byte) Math.round(255 * Noise.clamp(shadow * 0.9, 0, 1));
                if (alpha <= 0) {
                    continue;
                }
                double r2 = Math.min(1, rho * rho);
                double heightProfile = Math.pow(1 - r2, 0.5 * flatness);
                // Surface slope from the dome: darker towards the rim, brighter on top.
                double slope = rho < 0.999 ? flatness * rho / Math.sqrt(1 - r2 + 1e-3) : 20;
                double nz = 1 / Math.sqrt(1 + 0.35 * slope * slope);
                double shade = 0.55 + 0.55 * nz + 0.1 * heightProfile;
                shade *= 1 + pitStrength * pits[i] + lobeStrength * lobes[i] + 0.06 * blotch[i];
                double b = tint[0] * shade;
                double g = tint[1] * shade;
                double r = tint[2] * shade;
                bgra[4 * i] = (byte) Math.round(Noise.clamp(b, 0, 255));
                bgra[4 * i + 1] = (byte) Math.round(Noise.clamp(g, 0, 255));
                bgra[4 * i + 2] = (byte) Math.round(Noise.clamp(r, 0, 255));
                bgra[4 * i + 3] = (byte) Math.round(255 * alpha);
                double hdx = dx - hx;
                double hdy = dy - hy;
                double highlight = Math.exp(-(hdx * hdx + hdy * hdy) / (hr * hr));
                double glints = Math.max(0, sparkle[i] - 1.8) * 0.8 * nz;
                double glossValue = highlight * (0.6 + 0.5 * Math.max(0, 1 + 0.6 * lobes[i])) + glints;
                glossShadow[2 * i] = (byte) Math.round(255 * Noise.clamp(glossValue * alpha, 0, 1));
            }
        }
        colour = new Mat(n, n, CvType.CV_8UC4);
        colour.put(0, 0, bgra);
        aux = new Mat(n, n, CvType.CV_8UC2);
        aux.put(0, 0, glossShadow);
    }

    private static double[] tint(PolypKind kind, Random rng, double[] mucosa) {
        double b = mucosa[0];
        double g = mucosa[1];
        double r = mucosa[2];
        int style = rng.nextInt(4);
        double[] out = switch (style) {
            case 0 -> new double[] {b * 0.85, g * 0.72, r * 1.02};            // redder adenoma
            case 1 -> new double[] {b + 0.3 * (245 - b), g + 0.3 * (235 - g), r + 0.12 * (255 - r)}; // pale
            case 2 -> new double[] {b * 0.78, g * 0.8, r * 0.95};             // darker, congested
            default -> new double[] {b * 1.02, g * 1.04, r * 1.03};           // much like the mucosa: hard case
        };
        if (kind == PolypKind.LOBULATED) {
            out[1] *= 0.9;
            out[0] *= 0.92;
        }
        double jitter = 0.94 + 0.12 * rng.nextDouble();
        for (int i = 0; i < 3; i++) {
            out[i] = Math.min(255, out[i] * jitter);
        }
        return out;
    }

    @Override
    public void close() {
        colour.release();
        aux.release();
    }
}
