package io.endostream.local.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;

/**
 * Polyps behind a nearer fold: the simulator's depth test against the ray-marched tube hides them in the image and in
 * the label alike, and leaves a polyp nothing stands in front of exactly as it was. Each case compares a frame with the
 * same frame rendered without the depth test (the old "sprite pasted on top" simulator).
 */
class PolypOcclusionTest {

    /** Seed 2, 160x128, frame 315: a polyp sitting behind the crest of a fold (found by scanning the video). */
    private static final long BEHIND_FOLD_SEED = 2;
    private static final int BEHIND_FOLD_FRAME = 315;
    /** Seed 1, frame 120: two polyps on open wall, no fold in front of either. */
    private static final long OPEN_WALL_SEED = 1;
    private static final int OPEN_WALL_FRAME = 120;

    @Test
    void aPolypBehindANearerFoldIsPartlyHiddenInImageAndLabel() {
        try (EndoscopySimulator withDepthTest = new EndoscopySimulator(BEHIND_FOLD_SEED, 160, 128);
             EndoscopySimulator pasted = new EndoscopySimulator(BEHIND_FOLD_SEED, 160, 128, false);
             SimulatedFrame seen = withDepthTest.frame(BEHIND_FOLD_FRAME);
             SimulatedFrame whole = pasted.frame(BEHIND_FOLD_FRAME)) {
            int wholePixels = Core.countNonZero(whole.mask());
            int seenPixels = Core.countNonZero(seen.mask());
            assertTrue(wholePixels > 30, "the pasted polyp covers " + wholePixels + " pixels");
            // partly hidden: still there, but a clear share of it is gone
            assertTrue(seenPixels > 0, "the polyp is only partly behind the fold");
            assertTrue(seenPixels < 0.9 * wholePixels, "label keeps " + seenPixels + " of " + wholePixels + " pixels");
            assertEquals(whole.polypCount(), seen.polypCount(), "the polyp still counts: part of it shows");
            // the label is the visible part of the same polyp: nothing outside the pasted outline
            Mat outside = new Mat();
            Core.bitwise_not(whole.mask(), outside);
            Core.bitwise_and(outside, seen.mask(), outside);
            assertEquals(0, Core.countNonZero(outside), "label pixels outside the polyp");
            // the image: where the label lost the polyp, the pasted polyp's colour is gone too
            Mat hidden = new Mat();
            Core.bitwise_xor(whole.mask(), seen.mask(), hidden);
            Mat diff = new Mat();
            Core.absdiff(whole.image(), seen.image(), diff);
            Scalar meanDiffHidden = Core.mean(diff, hidden);
            double hiddenDiff = meanDiffHidden.val[0] + meanDiffHidden.val[1] + meanDiffHidden.val[2];
            assertTrue(hiddenDiff > 10, "image changed by only " + hiddenDiff + " (sum of BGR means) where hidden");
            // and where the polyp still shows, image and label agree with the pasted one
            Scalar meanDiffShown = Core.mean(diff, seen.mask());
            assertEquals(0, meanDiffShown.val[0] + meanDiffShown.val[1] + meanDiffShown.val[2], 1.0,
                    "visible part drawn as before");
            outside.release();
            hidden.release();
            diff.release();
        }
    }

    @Test
    void aPolypNothingStandsInFrontOfIsUnchanged() {
        try (EndoscopySimulator withDepthTest = new EndoscopySimulator(OPEN_WALL_SEED, 160, 128);
             EndoscopySimulator pasted = new EndoscopySimulator(OPEN_WALL_SEED, 160, 128, false);
             SimulatedFrame seen = withDepthTest.frame(OPEN_WALL_FRAME);
             SimulatedFrame whole = pasted.frame(OPEN_WALL_FRAME)) {
            assertTrue(seen.polypCount() > 0 && Core.countNonZero(seen.mask()) > 30, "a polyp is in view");
            assertArrayEquals(whole.maskPng(), seen.maskPng(), "label");
            assertArrayEquals(whole.png(), seen.png(), "image");
        }
    }
}
