package io.endostream.local.fuzz;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded mutations of valid JPEG and PNG frames, the ways broken or hostile capture devices damage them: bit flips,
 * truncation, spliced runs, damaged header bytes, absurd dimensions, trailers after the image, repeated chunks.
 * Shared by the decoder's fuzz test and the {@code fuzz} command that sends mutants through a running service.
 */
public final class FrameMutator {

    /** The kinds of damage, chosen uniformly by {@link #mutate(byte[], SplittableRandom)}. */
    public enum Mutation { BIT_FLIPS, TRUNCATE, SPLICE, HEADER_FIELD, HUGE_DIMENSIONS, TRAILER, CHUNK_DUPLICATE }

    private FrameMutator() {
    }

    /** A random kind of damage applied to a copy of {@code original}. */
    public static byte[] mutate(byte[] original, SplittableRandom random) {
        return mutate(original, randomMutation(random), random);
    }

    public static Mutation randomMutation(SplittableRandom random) {
        return Mutation.values()[random.nextInt(Mutation.values().length)];
    }

    public static byte[] mutate(byte[] original, Mutation mutation, SplittableRandom random) {
        byte[] b = original.clone();
        switch (mutation) {
            case BIT_FLIPS -> {
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int at = random.nextInt(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                }
                return b;
            }
            case TRUNCATE -> {
                return Arrays.copyOf(b, 1 + random.nextInt(b.length - 1));
            }
            case SPLICE -> { // delete or duplicate a run of bytes somewhere inside
                int from = random.nextInt(b.length);
                int len = 1 + random.nextInt(Math.min(64, b.length - from));
                byte[] out = new byte[b.length + (random.nextBoolean() ? len : -len)];
                if (out.length > b.length) {
                    System.arraycopy(b, 0, out, 0, from + len);
                    System.arraycopy(b, from, out, from + len, b.length - from);
                } else {
                    System.arraycopy(b, 0, out, 0, from);
                    System.arraycopy(b, from + len, out, from, b.length - from - len);
                }
                return out;
            }
            case HEADER_FIELD -> { // overwrite a byte in the first 64, where markers and sizes live
                b[random.nextInt(Math.min(64, b.length))] = (byte) random.nextInt(256);
                return b;
            }
            case HUGE_DIMENSIONS -> {
                setDimensions(b, random.nextBoolean() ? 65_535 : random.nextInt(1, 9_000),
                        random.nextBoolean() ? 65_535 : random.nextInt(0, 9_000));
                return b;
            }
            case TRAILER -> { // padding or a trailer after the image, as some capture devices append
                byte[] out = Arrays.copyOf(b, b.length + 1 + random.nextInt(512));
                for (int i = b.length; i < out.length; i++) {
                    out[i] = (byte) random.nextInt(256);
                }
                return out;
            }
            case CHUNK_DUPLICATE -> { // the first 1-200 bytes after the signature repeated
                int sig = Math.min(8, b.length);
                int len = 1 + random.nextInt(Math.min(200, b.length - sig));
                byte[] out = new byte[b.length + len];
                System.arraycopy(b, 0, out, 0, sig + len);
                System.arraycopy(b, sig, out, sig + len, b.length - sig);
                return out;
            }
            default -> throw new IllegalStateException(mutation.name());
        }
    }

    /** Writes width/height into a PNG's IHDR or a JPEG's first SOF marker. */
    private static void setDimensions(byte[] b, int width, int height) {
        if (b.length > 24 && (b[0] & 0xff) == 0x89) { // PNG: IHDR width/height at 16..23, big-endian
            writeInt(b, 16, width);
            writeInt(b, 20, height);
            return;
        }
        for (int i = 2; i + 8 < b.length; i++) {
            int marker = b[i + 1] & 0xff;
            if ((b[i] & 0xff) == 0xff && marker >= 0xc0 && marker <= 0xc3) { // SOF0..SOF3: P, Y(2), X(2)
                b[i + 5] = (byte) (height >> 8);
                b[i + 6] = (byte) height;
                b[i + 7] = (byte) (width >> 8);
                b[i + 8] = (byte) width;
                return;
            }
        }
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
