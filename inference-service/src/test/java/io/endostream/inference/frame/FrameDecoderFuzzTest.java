package io.endostream.inference.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.local.fuzz.FrameMutator;
import io.endostream.local.fuzz.FrameMutator.Mutation;
import java.util.ArrayList;
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
                Mutation mutation = FrameMutator.randomMutation(random);
                byte[] mutant = FrameMutator.mutate(original, mutation, random);
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
}
