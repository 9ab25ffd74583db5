package io.endostream.trainer.dataset;

import io.endostream.trainer.testing.SyntheticPolyps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentationTest {

    @TempDir
    Path dir;

    @Test
    void geometryMovesImageAndMaskTogetherAndIteratorsGiveModelTensors() {
        SyntheticPolyps.writeLabelled(dir, 5, 4, 90, 70, "png");
        List<Sample> samples = KvasirSegDataset.load(KvasirSegDataset.open(dir).pairs(), 32);
        // flips + rotations only: polyp pixels keep their count and the darker colour stays on the mask
        Augmentation geometric = new Augmentation(true, true, 1, 1, 0, 0, 0);
        Random r = new Random(5);
        for (Sample s : samples) {
            Sample a = geometric.apply(s, r);
            assertEquals(count(s.mask()), count(a.mask()));
            assertTrue(meanRed(a, true) < meanRed(a, false), "polyp (darker) stays under the mask");
        }
        Sample full = Augmentation.standard().apply(samples.get(0), new Random(1));
        assertEquals(32 * 32, full.mask().length);

        SegmentationIterator it = new SegmentationIterator(samples, 2, true, Augmentation.standard(), 3);
        DataSet first = it.next();
        assertArrayEquals(new long[]{2, 3, 32, 32}, first.getFeatures().shape());
        assertArrayEquals(new long[]{2, 1, 32, 32}, first.getLabels().shape());
        assertTrue(first.getFeatures().maxNumber().doubleValue() <= 1.0);
        it.next();
        assertEquals(1, it.next().numExamples(), "last partial batch kept");
        assertTrue(!it.hasNext());
    }

    private static int count(byte[] mask) {
        int n = 0;
        for (byte b : mask) {
            n += b;
        }
        return n;
    }

    private static double meanRed(Sample s, boolean inside) {
        double sum = 0;
        int n = 0;
        for (int p = 0; p < s.mask().length; p++) {
            if ((s.mask()[p] != 0) == inside) {
                sum += s.bgr()[p * 3 + 2] & 0xff;
                n++;
            }
        }
        return sum / Math.max(1, n);
    }
}
