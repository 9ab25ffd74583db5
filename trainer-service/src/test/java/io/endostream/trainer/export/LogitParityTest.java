package io.endostream.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.endostream.trainer.dataset.DatasetSplit;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.SplitFingerprint;
import io.endostream.trainer.model.MobileNetV2UNet;
import io.endostream.trainer.model.MobileNetV2UNet.Head;
import io.endostream.trainer.model.SyntheticDisks;
import io.endostream.trainer.testing.SyntheticPolyps;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Logit parity (issue 11): the export compares the logits before the sigmoid at batch sizes 1, 4, 8 and counts the mask
 * pixels that flip at the threshold; a probability comparison alone is blind where the sigmoid saturates.
 */
class LogitParityTest {

    static final int SIZE = OnnxExporterTest.SIZE;
    static ComputationGraph net;
    static INDArray frames;

    @BeforeAll
    static void trainedNet() {
        net = MobileNetV2UNet.build(OnnxExporterTest.CFG, Head.SEGMENTATION);
        net.fit(SyntheticDisks.batch(8, SIZE, 5)); // non-trivial BN statistics
        frames = SyntheticDisks.batch(8, SIZE, 9).getFeatures(0);
    }

    @Test
    void exportedLogitsMatchDl4jAtBatchSizes1To8AndNoPixelFlips() {
        byte[] onnx = OnnxExporter.toOnnx(net, SIZE, SIZE, 3);
        LogitParity.Report report = LogitParity.measure(net, onnx, frames, "disks", LogitParity.BATCH_SIZES, 0.5);

        assertEquals(3, report.batches().size());
        assertArrayEquals(new int[]{1, 4, 8}, report.batches().stream().mapToInt(LogitParity.BatchResult::batchSize)
                .toArray());
        for (LogitParity.BatchResult b : report.batches()) {
            assertEquals(8L * SIZE * SIZE, b.values(), "every mask pixel of the 8 frames, batch " + b.batchSize());
        }
        assertTrue(report.maxAbsLogit() < LogitParity.LOGIT_TOLERANCE, report.describe());
        assertTrue(report.meanAbsLogit() <= report.maxAbsLogit());
        assertEquals(0, report.flipped(), report.describe());
        System.out.println(report.describe());
    }

    @Test
    void saturatedProbabilitiesHideALogitErrorThatTheLogitCheckCatches() {
        // the same net with the head's bias pushed deep into the sigmoid's saturation, exported with 10 more
        ComputationGraph saturated = withHeadBias(net, 30);
        ComputationGraph wrong = withHeadBias(net, 40);
        byte[] wrongOnnx = OnnxExporter.toOnnx(wrong, SIZE, SIZE, 3);

        // probabilities: both ~1.0, the old check passes
        assertTrue(OnnxExporter.parity(saturated, wrongOnnx, 2, 3L, SIZE, SIZE, 3) <= OnnxExporter.PARITY_TOLERANCE);
        // logits: 10 apart everywhere
        LogitParity.Report report = LogitParity.measure(saturated, wrongOnnx, frames, "disks", new int[]{8}, 0.5);
        assertEquals(10, report.maxAbsLogit(), 1e-2);
        assertEquals(10, report.meanAbsLogit(), 1e-2);
        assertTrue(report.maxAbsProbability() <= OnnxExporter.PARITY_TOLERANCE);
    }

    @Test
    void flippedPixelsAreThoseTheLogitShiftCarriesOverTheThreshold() {
        double shift = 0.5;
        byte[] shiftedOnnx = OnnxExporter.toOnnx(withHeadBias(net, shift), SIZE, SIZE, 3);
        // DL4J logits within (-shift, 0] cross the 0.5 threshold (logit 0) when the ONNX side adds the shift
        INDArray logits = net.feedForward(frames, false).get(LogitParity.logitVertex(net, "mask"));
        long expected = 0;
        for (float l : logits.dup('c').reshape(logits.length()).toFloatVector()) {
            if (l > -shift && l <= 0) {
                expected++;
            }
        }
        assertTrue(expected > 0, "some logits lie just below the threshold");

        LogitParity.Report report = LogitParity.measure(net, shiftedOnnx, frames, "disks", new int[]{1, 8}, 0.5);
        for (LogitParity.BatchResult b : report.batches()) {
            assertEquals(expected, b.flipped(), "batch " + b.batchSize());
            assertEquals((double) expected / b.values(), b.flipShare(), 1e-12);
        }
        assertEquals(shift, report.maxAbsLogit(), 1e-3);
    }

    @Test
    void exportChecksLogitsOnTheGivenFramesAndRefusesALogitMismatch(@TempDir Path dir) {
        ExportResult ok = OnnxExporter.export(net, OnnxExporterTest.manifest(), dir.resolve("ok"), frames, "disks");
        assertEquals("disks", ok.parity().frames());
        assertArrayEquals(new int[]{1, 4, 8}, ok.parity().batches().stream()
                .mapToInt(LogitParity.BatchResult::batchSize).toArray());
        assertTrue(ok.parity().maxAbsLogit() < LogitParity.LOGIT_TOLERANCE);
        assertTrue(ok.parity().toMap().containsKey("flipped_pixel_share"));

        // random-image export (no frames): runs 1 and the sample count
        ExportResult random = OnnxExporter.export(net, OnnxExporterTest.manifest(), dir.resolve("random"), 2, 7L);
        assertArrayEquals(new int[]{1, 2}, random.parity().batches().stream()
                .mapToInt(LogitParity.BatchResult::batchSize).toArray());
        assertThrows(IllegalArgumentException.class, () -> LogitParity.measure(net,
                OnnxExporter.toOnnx(net, SIZE, SIZE, 3), frames, "disks", new int[]{8}, 1.0));
    }

    @Test
    void parityFramesAreTheValidationFramesOfTheRunsDataset(@TempDir Path dir) {
        Path data = dir.resolve("labelled");
        SyntheticPolyps.writeLabelled(data, 10, 3, SIZE, SIZE, "png");
        DatasetSplit split = DatasetSplit.of(KvasirSegDataset.open(data), 0.2, 1, null);
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("data", Map.of("dataset", data.toString()));
        state.put(SplitFingerprint.STATE_KEY, SplitFingerprint.of(split, 0.2, 1, null).toMap());

        ParityFrames frames = ParityFrames.fromTrainingState(state, 16, SIZE);

        assertNotNull(frames);
        assertEquals("validation frames of " + data, frames.description());
        assertArrayEquals(new long[]{split.validation().size(), 3, SIZE, SIZE}, frames.images().shape());
        assertNull(ParityFrames.fromTrainingState(Map.of("data", Map.of("dataset", dir.resolve("gone").toString())),
                16, SIZE), "no dataset on disk: the caller falls back to random images");
    }

    private static ComputationGraph withHeadBias(ComputationGraph source, double add) {
        ComputationGraph copy = source.clone();
        copy.getLayer("mask_conv").getParam("b").addi(add);
        return copy;
    }
}
