package io.endostream.inference.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the frame path a hostile or broken camera reaches first: the contract's frame codec and the
 * OpenCV decoder. Every mutated frame must end as a decoded image whose size the header vouches for, or as a
 * {@link MalformedRecordException} (a dead letter with a reason). Any other exception, or a JVM crash inside
 * OpenCV, fails the run. The seed and mutation of each failure are reported so it can be replayed.
 */
class FrameDecoderFuzzTest {

    private static final long SEED = 20261129L;
    private static final int MUTANTS_PER_FORMAT = 5_000;

    @BeforeAll
    static void openCv() {
        OpenCv.load();
    }

    enum Mutation { BIT_FLIPS, TRUNCATE, SPLICE, HEADER_FIELD, HUGE_DIMENSIONS, TRAILER, CHUNK_DUPLICATE }

    @Test
    void tenThousandMutatedJpegAndPngFramesEndAsImagesOrDeadLettersNeverAsCrashes() {
        byte[] jpeg = FrameDecoderTest.encode(".jpg", 96, 80);
        byte[] png = FrameDecoderTest.encode(".png", 64, 48);
        FrameDecoder decoder = new FrameDecoder(16_000_000);
        SplittableRandom random = new SplittableRandom(SEED);
        Map<Mutation, int[]> decodedAndRefused = new EnumMap<>(Mutation.class);
        List<String> failures = new ArrayList<>();
        int total = 0;
        for (byte[] original : List.of(jpeg, png)) {
            for (int i = 0; i < MUTANTS_PER_FORMAT; i++) {
                Mutation mutation = Mutation.values()[random.nextInt(Mutation.values().length)];
                byte[] mutant = mutate(original, mutation, random);
                int[] counts = decodedAndRefused.computeIfAbsent(mutation, m -> new int[2]);
                total++;
                try {
                    Frame frame = FrameCodec.decode("fuzz".getBytes(), mutant, Map.of(), Topics.FRAMES, 0, total, 0L);
                    try (DecodedFrame decoded = decoder.decode(frame, 64, 64)) {
                        // A decoded frame must be usable downstream: 3 channels, and the size the mask will take.
                        assertTrue(decoded.width() > 0 && decoded.height() > 0, "decoded size");
                        assertEquals(3, decoded.image().channels());
                        counts[0]++;
                    }
                } catch (MalformedRecordException refused) {
                    assertTrue(refused.reason() != null && !refused.detail().isBlank(), "a dead letter has a reason");
                    counts[1]++;
                } catch (RuntimeException | AssertionError e) {
                    if (failures.size() < 10) {
                        failures.add("mutant " + total + " (" + mutation + ", seed " + SEED + "): " + e);
                    }
                }
            }
        }
        System.out.println("[fuzz] " + total + " mutated frames; decoded/refused per mutation: "
                + decodedAndRefused.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()[0] + "/"
                + e.getValue()[1]).toList());
        assertEquals(List.of(), failures);
        int accounted = decodedAndRefused.values().stream().mapToInt(c -> c[0] + c[1]).sum();
        assertEquals(total, accounted, "every mutant decoded or refused");
        // The mutations must actually exercise both outcomes, or the fuzzer is not testing anything.
        assertTrue(decodedAndRefused.values().stream().mapToInt(c -> c[1]).sum() > total / 10, "refusals");
        assertTrue(decodedAndRefused.values().stream().mapToInt(c -> c[0]).sum() > total / 10, "decodes");
    }

    static byte[] mutate(byte[] original, Mutation mutation, SplittableRandom random) {
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
