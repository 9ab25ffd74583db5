package io.endostream.trainer.pretrain;

import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.Tensors;
import io.endostream.trainer.model.MobileNetV2UNet;
import io.endostream.trainer.model.UNetConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encoder probe tells a network that copies its input through the skips (deep path untrained) from one whose
 * encoder had to learn the image, where zeroing the skips of the trained networks cannot: it punishes any U-Net.
 */
class EncoderProbeTest {

    private static final int SIZE = 32;
    private static final int TRAIN_ITERATIONS = 80;
    /** Large batches: at 32x32 a step costs about the same for 8 or 32 images (per-op overhead dominates). */
    private static final int BATCH = 32;

    @Test
    void theProbeSeparatesACopyingNetworkFromOneThatLearntFeatures() {
        List<Sample> all = frames(240, 11);
        List<Sample> train = all.subList(0, 160);
        List<Sample> heldOut = all.subList(160, all.size());
        UNetConfig cfg = new UNetConfig(SIZE, 0.35, 8, 5, 2e-2);

        // deliberately copying: encoder frozen at its random initialisation, decoder trained with skips
        ComputationGraph copying = new TransferLearning.GraphBuilder(MobileNetV2UNet.build(cfg, MobileNetV2UNet.Head.RECONSTRUCTION))
                .setFeatureExtractor(MobileNetV2UNet.ENCODER_OUTPUT).build();
        double copyingMse = train(copying, train, heldOut, 10);
        // learnt features: trained without skips, so everything has to pass through the encoder's bottleneck
        ComputationGraph learnt = MobileNetV2UNet.withoutSkips(MobileNetV2UNet.build(cfg.withSeed(6), MobileNetV2UNet.Head.RECONSTRUCTION));
        double learntMse = train(learnt, train, heldOut, TRAIN_ITERATIONS);

        List<EncoderProbe> probes = EncoderProbe.measure(List.of(copying, learnt), cfg, train, heldOut, 100);
        EncoderProbe pc = probes.get(0);
        EncoderProbe pl = probes.get(1);
        System.out.printf("copying network: reconstruction MSE %.5f, probe %.5f vs random %.5f (ratio %.3f); learnt "
                        + "(MSE %.5f without skips): probe %.5f vs random %.5f (ratio %.3f); mean thumbnail %.5f%n", copyingMse,
                pc.probeMse(), pc.randomEncoderProbeMse(), pc.ratio(), learntMse, pl.probeMse(), pl.randomEncoderProbeMse(),
                pl.ratio(), pl.meanThumbnailMse());
        // random encoders differ by ~+/-20% among themselves: the copying one is one of them
        assertTrue(pc.ratio() > 0.7 && pc.ratio() < 1.3, "a copying network's encoder must probe like a random one: " + pc.ratio());
        assertTrue(pl.ratio() < 0.8 * pc.ratio(), "the learnt encoder must probe clearly better: " + pl.ratio()
                + " vs copying " + pc.ratio());
    }

    /**
     * Frames whose content is global and low-dimensional (a colour gradient between two random colours plus noise):
     * a bottleneck that learnt anything encodes it, and a short training suffices for that.
     */
    static List<Sample> frames(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        List<Sample> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] a = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
            double[] b = {r.nextDouble(), r.nextDouble(), r.nextDouble()};
            byte[] bgr = new byte[SIZE * SIZE * 3];
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    double t = (double) y / (SIZE - 1);
                    for (int c = 0; c < 3; c++) {
                        double v = (1 - t) * a[c] + t * b[c] + r.nextGaussian() * 0.03;
                        bgr[(y * SIZE + x) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(v * 255)));
                    }
                }
            }
            out.add(new Sample("f" + i, SIZE, bgr, null));
        }
        return out;
    }

    private static double train(ComputationGraph g, List<Sample> train, List<Sample> heldOut, int iterations) {
        for (int it = 0; it < iterations; it++) {
            int from = (it * BATCH) % (train.size() - BATCH + 1);
            INDArray x = Tensors.images(train.subList(from, from + BATCH));
            g.fit(new DataSet(x, x));
        }
        INDArray x = Tensors.images(heldOut);
        INDArray d = g.outputSingle(false, x).sub(x);
        return d.mul(d).meanNumber().doubleValue();
    }
}
