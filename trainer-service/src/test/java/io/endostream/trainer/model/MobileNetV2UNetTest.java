package io.endostream.trainer.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.endostream.trainer.model.MobileNetV2UNet.Head;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Real DL4J training at tiny sizes (32x32, alpha 0.35, batch 8). */
class MobileNetV2UNetTest {

    static final int SIZE = 32;
    static final UNetConfig CFG = UNetConfig.defaults().withInputSize(SIZE).withLearningRate(1e-2).withDecoderWidth(8);

    static MultiDataSet disks;
    static ComputationGraph trained;
    static double scoreBefore;
    static double scoreAfter;

    @BeforeAll
    static void trainOnDisks() {
        disks = SyntheticDisks.batch(8, SIZE, 11);
        trained = MobileNetV2UNet.build(CFG, Head.SEGMENTATION);
        scoreBefore = trained.score(disks);
        for (int i = 0; i < 30; i++) {
            trained.fit(disks);
        }
        scoreAfter = trained.score(disks);
    }

    @Test
    void headsProduceImageSizedSigmoidMapsNamedAsTheContractSays() {
        INDArray x = disks.getFeatures(0).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2));
        ComputationGraph recon = MobileNetV2UNet.build(CFG, Head.RECONSTRUCTION);
        assertEquals(List.of("reconstruction"), recon.getConfiguration().getNetworkOutputs());
        assertEquals(List.of("mask"), trained.getConfiguration().getNetworkOutputs());
        assertEquals(List.of("input"), trained.getConfiguration().getNetworkInputs());
        INDArray mask = trained.output(false, x)[0];
        INDArray rgb = recon.output(false, x)[0];
        assertArrayEquals(new long[]{2, 1, SIZE, SIZE}, mask.shape());
        assertArrayEquals(new long[]{2, 3, SIZE, SIZE}, rgb.shape());
        assertTrue(mask.minNumber().doubleValue() >= 0 && mask.maxNumber().doubleValue() <= 1);
        assertTrue(rgb.minNumber().doubleValue() >= 0 && rgb.maxNumber().doubleValue() <= 1);

        List<String> encoder = MobileNetV2UNet.encoderLayerNames(trained);
        assertTrue(encoder.size() > 50, "encoder layers: " + encoder.size());
        assertTrue(encoder.stream().allMatch(n -> n.startsWith("enc_")));
        assertTrue(encoder.contains("enc_b1_dw"));
    }

    @Test
    void forwardFlopsGrowWithTheImageAreaAndTheWidthMultiplier() {
        long f128 = MobileNetV2UNet.forwardFlops(UNetConfig.defaults());
        long f256 = MobileNetV2UNet.forwardFlops(UNetConfig.defaults().withInputSize(256));
        long wide = MobileNetV2UNet.forwardFlops(UNetConfig.defaults().withWidthMultiplier(1.0));
        assertEquals(4.0, (double) f256 / f128, 1e-9);
        assertTrue(wide > 1.5 * f128, "alpha 1.0 " + wide + " vs alpha 0.35 " + f128);
        // MobileNetV2 alpha 0.35 at 224 is ~59 M multiply-adds: the encoder part here must be of that order
        assertTrue(f128 > 2e7 && f128 < 1e9, "forward flops at 128: " + f128);
    }

    @Test
    void lossFallsOnBrightDisks() {
        assertTrue(scoreAfter < 0.6 * scoreBefore, "score " + scoreBefore + " -> " + scoreAfter);
        INDArray p = trained.output(false, disks.getFeatures(0))[0];
        INDArray y = disks.getLabels(0);
        INDArray hard = p.gt(0.5).castTo(y.dataType());
        double inter = hard.mul(y).sumNumber().doubleValue();
        double dice = 2 * inter / (hard.sumNumber().doubleValue() + y.sumNumber().doubleValue());
        assertTrue(dice > 0.5, "training Dice after 30 iterations: " + dice);
    }

    @Test
    void withoutSkipsChangesTheOutputAndLeavesTheTrainedNetAlone() {
        INDArray paramsBefore = trained.params().dup();
        ComputationGraph noSkips = MobileNetV2UNet.withoutSkips(trained);
        INDArray x = disks.getFeatures(0);
        INDArray with = trained.output(false, x)[0];
        INDArray without = noSkips.output(false, x)[0];
        double diff = Transforms.abs(with.sub(without)).maxNumber().doubleValue();
        assertTrue(diff > 0.05, "max abs change without skips: " + diff);
        assertTrue(noSkips.score(disks) > trained.score(disks), "the net relies on its skips");
        assertEquals(paramsBefore, trained.params());
        assertEquals(trained.params(), noSkips.params());
    }

    @Test
    void frozenEncoderKeepsWeightsAndBatchNormStatisticsWhileTheDecoderLearns() {
        ComputationGraph pretrained = MobileNetV2UNet.build(CFG, Head.RECONSTRUCTION);
        MultiDataSet recon = new MultiDataSet(disks.getFeatures(0), disks.getFeatures(0));
        pretrained.fit(recon); // moves weights and BN running statistics away from their initial values

        ComputationGraph seg = MobileNetV2UNet.toSegmentation(pretrained, CFG, true);
        assertEquals(List.of("mask"), seg.getConfiguration().getNetworkOutputs());
        List<String> encoder = MobileNetV2UNet.encoderLayerNames(seg);
        Map<String, INDArray> before = snapshot(seg, encoder);
        // encoder weights were carried over from the pretrained net
        assertEquals(pretrained.getLayer("enc_b1_dw").getParam("W"), seg.getLayer("enc_b1_dw").getParam("W"));
        assertTrue(before.keySet().stream().anyMatch(k -> k.endsWith("/mean")), "BN statistics are compared");
        INDArray decoderBefore = seg.getLayer("dec2_conv").getParam("W").dup();

        for (int i = 0; i < 3; i++) {
            seg.fit(disks);
        }
        Map<String, INDArray> after = snapshot(seg, encoder);
        before.forEach((k, v) -> assertEquals(v, after.get(k), "frozen " + k + " changed"));
        assertNotEquals(decoderBefore, seg.getLayer("dec2_conv").getParam("W"));

        ComputationGraph unfrozen = MobileNetV2UNet.unfreeze(seg);
        assertEquals(seg.params(), unfrozen.params());
        unfrozen.fit(disks);
        Map<String, INDArray> afterUnfreeze = snapshot(unfrozen, encoder);
        assertFalse(afterUnfreeze.get("enc_b1_dw/W").equals(before.get("enc_b1_dw/W")), "unfrozen encoder learns");
        assertFalse(afterUnfreeze.get("enc_b1_dw_bn/mean").equals(before.get("enc_b1_dw_bn/mean")),
                "unfrozen BN statistics update");
    }

    @Test
    void reconstructionLossHonoursThePerPixelLabelMask() {
        ComputationGraph recon = MobileNetV2UNet.build(CFG, Head.RECONSTRUCTION);
        INDArray x = disks.getFeatures(0);
        INDArray all = Nd4j.ones(x.dataType(), 8, 1, SIZE, SIZE);
        INDArray none = Nd4j.zeros(x.dataType(), 8, 1, SIZE, SIZE);
        INDArray patch = none.dup();
        patch.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 16),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(8, 16)).assign(1);
        double unmasked = recon.score(new MultiDataSet(new INDArray[]{x}, new INDArray[]{x}));
        double fullMask = recon.score(mds(x, all));
        double emptyMask = recon.score(mds(x, none));
        double patchMask = recon.score(mds(x, patch));
        assertEquals(unmasked, fullMask, 1e-6 * unmasked);
        assertEquals(0.0, emptyMask, 1e-12);
        assertTrue(patchMask > 0 && patchMask < fullMask, "patch " + patchMask + " vs full " + fullMask);
        recon.fit(mds(x, patch)); // in-painting step trains
    }

    @Test
    void checkpointRestoresWeightsUpdaterAndTrainingState(@TempDir Path dir) {
        Path zip = dir.resolve("ckpt.zip");
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("epoch", 3);
        state.put("bestDice", 0.5);
        state.put("phase", "finetune");
        ModelCheckpoints.save(trained, zip, state);
        ModelCheckpoints.Checkpoint restored = ModelCheckpoints.load(zip);
        assertEquals(state, restored.state());
        assertEquals(trained.params(), restored.graph().params());
        assertEquals(trained.getUpdater().getStateViewArray(), restored.graph().getUpdater().getStateViewArray());
        INDArray x = disks.getFeatures(0);
        assertEquals(trained.output(false, x)[0], restored.graph().output(false, x)[0]);
    }

    @Test
    void convolutionAndBatchNormRunThroughDl4jsOneDnnHelpers() {
        // DL4J M2.1 cannot enable these without Dl4jNative + the org.nd4j.nativeblas.Nd4jCpu shim (5x slower then)
        assertTrue(Dl4jNative.oneDnnHelpersActive());
        org.deeplearning4j.nn.layers.convolution.ConvolutionLayer conv =
                (org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) trained.getLayer("dec1_conv");
        org.deeplearning4j.nn.layers.normalization.BatchNormalization bn =
                (org.deeplearning4j.nn.layers.normalization.BatchNormalization) trained.getLayer("enc_b1_dw_bn");
        assertTrue(conv.getHelper() != null, "conv helper");
        assertTrue(bn.getHelper() != null, "batch-norm helper");
    }

    private static MultiDataSet mds(INDArray x, INDArray labelMask) {
        return new MultiDataSet(new INDArray[]{x}, new INDArray[]{x}, null, new INDArray[]{labelMask});
    }

    private static Map<String, INDArray> snapshot(ComputationGraph g, List<String> layers) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String l : layers) {
            g.getLayer(l).paramTable().forEach((k, v) -> m.put(l + "/" + k, v.dup()));
        }
        return m;
    }
}
