package io.endostream.trainer.pretrain;

import java.util.Locale;
import java.util.Random;

/**
 * What the network must predict from what. Every objective's target is the clean image; they differ in the input and
 * in where the loss counts.
 */
public enum PretrainObjective {
    /** Plain autoencoder (baseline): clean in, clean out. A U-Net can win it by copying through its skips. */
    RECONSTRUCT,
    /** Masked in-painting: random square patches are blanked to grey; the loss counts only inside them. */
    INPAINT,
    /** Denoising: Gaussian noise (sigma 0.15) on the input; loss on every pixel. */
    DENOISE;

    /** Share of the image covered by in-painting patches (grid cells of 1/8 of the side). */
    public static final double INPAINT_RATIO = 0.3;
    public static final double NOISE_SIGMA = 0.15;

    public static PretrainObjective parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown pretraining objective '" + s + "', expected reconstruct, inpaint or denoise");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A corrupted copy of one image plus the loss mask (1 where the loss counts; null = everywhere). */
    public record Corrupted(float[] input, float[] lossMask) {
    }

    /**
     * @param clean RGB planes (3 * size * size, values in [0, 1]); not modified
     */
    public Corrupted corrupt(float[] clean, int size, Random random) {
        int plane = size * size;
        switch (this) {
            case RECONSTRUCT:
                return new Corrupted(clean.clone(), null);
            case DENOISE: {
                float[] in = new float[clean.length];
                for (int i = 0; i < in.length; i++) {
                    in[i] = (float) Math.max(0, Math.min(1, clean[i] + random.nextGaussian() * NOISE_SIGMA));
                }
                return new Corrupted(in, null);
            }
            case INPAINT: {
                float[] in = clean.clone();
                float[] mask = new float[plane];
                int cell = Math.max(1, size / 8);
                int cells = (size + cell - 1) / cell;
                boolean any = false;
                for (int cy = 0; cy < cells; cy++) {
                    for (int cx = 0; cx < cells; cx++) {
                        if (random.nextDouble() < INPAINT_RATIO) {
                            blank(in, mask, size, cx * cell, cy * cell, cell);
                            any = true;
                        }
                    }
                }
                if (!any) { // every image must carry some loss
                    blank(in, mask, size, random.nextInt(cells) * cell, random.nextInt(cells) * cell, cell);
                }
                return new Corrupted(in, mask);
            }
            default:
                throw new IllegalStateException();
        }
    }

    private static void blank(float[] in, float[] mask, int size, int x0, int y0, int cell) {
        int plane = size * size;
        for (int y = y0; y < Math.min(size, y0 + cell); y++) {
            for (int x = x0; x < Math.min(size, x0 + cell); x++) {
                int p = y * size + x;
                mask[p] = 1;
                in[p] = 0.5f;
                in[plane + p] = 0.5f;
                in[2 * plane + p] = 0.5f;
            }
        }
    }
}
