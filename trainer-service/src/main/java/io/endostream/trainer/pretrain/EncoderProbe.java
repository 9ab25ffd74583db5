package io.endostream.trainer.pretrain;

import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.Tensors;
import io.endostream.trainer.model.MobileNetV2UNet;
import io.endostream.trainer.model.UNetConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.inverse.InvertMatrix;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the encoder learnt, measured directly: a <b>linear probe</b> (ridge regression, closed form) from the frozen
 * encoder's bottleneck ({@value MobileNetV2UNet#ENCODER_OUTPUT}, no skip connection involved) to a coarse thumbnail
 * of the clean frame, fitted on some frames and scored on others, next to the same probe on a randomly initialised
 * encoder of the same shape. A network that won its pretraining by copying pixels through the skips (its deep path
 * learnt nothing) probes like a random encoder (ratio ~1); an encoder that learnt to summarise the image probes
 * better (ratio < 1). Unlike zeroing the skips of the trained network, this does not punish a U-Net for using its
 * skips, and it costs one forward pass per frame.
 *
 * @param probeMse              held-out MSE of the thumbnail predicted from the measured encoder
 * @param randomEncoderProbeMse same, averaged over {@value #RANDOM_ENCODERS} random encoders (seeds from {@code seed})
 * @param meanThumbnailMse      baseline: predicting the mean thumbnail of the fitting frames
 * @param fitImages             frames the probe is fitted on
 * @param heldOutImages         frames it is scored on
 */
public record EncoderProbe(double probeMse, double randomEncoderProbeMse, double meanThumbnailMse, int fitImages,
                           int heldOutImages) {

    /** Side of the thumbnail the probe predicts (x 3 colours). */
    public static final int THUMBNAIL = 4;
    /** Random encoders (seeds seed .. seed + n - 1) whose probe MSE is averaged for the reference. */
    public static final int RANDOM_ENCODERS = 3;
    /** Ridge penalty per fitted frame on standardised features. */
    public static final double RIDGE = 0.1;

    public double ratio() {
        return probeMse / Math.max(1e-12, randomEncoderProbeMse);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("probe_mse", probeMse);
        m.put("random_encoder_probe_mse", randomEncoderProbeMse);
        m.put("probe_ratio", ratio());
        m.put("mean_thumbnail_mse", meanThumbnailMse);
        m.put("fit_images", fitImages);
        m.put("held_out_images", heldOutImages);
        return m;
    }

    /**
     * @param encoder any MobileNetV2UNet (its encoder is measured; decoder and head are ignored)
     * @param cfg     its shape
     * @param fit     frames to fit the probe on
     * @param heldOut frames to score it on
     * @param seed    initialisation seed of the random encoder
     */
    public static EncoderProbe measure(ComputationGraph encoder, UNetConfig cfg, List<Sample> fit, List<Sample> heldOut,
                                       long seed) {
        return measure(List.of(encoder), cfg, fit, heldOut, seed).get(0);
    }

    /** {@link #measure(ComputationGraph, UNetConfig, List, List, long)} for several encoders, sharing the random reference. */
    public static List<EncoderProbe> measure(List<ComputationGraph> encoders, UNetConfig cfg, List<Sample> fit,
                                             List<Sample> heldOut, long seed) {
        INDArray yFit = thumbnails(fit);
        INDArray yHeld = thumbnails(heldOut);
        double randomProbe = 0;
        for (int k = 0; k < RANDOM_ENCODERS; k++) { // random encoders differ: average a few
            ComputationGraph random = MobileNetV2UNet.build(cfg.withSeed(seed + k), MobileNetV2UNet.Head.RECONSTRUCTION);
            randomProbe += ridge(features(random, fit), yFit, features(random, heldOut), yHeld) / RANDOM_ENCODERS;
        }
        INDArray mean = yFit.mean(0).reshape(1, yFit.columns());
        INDArray d = yHeld.subRowVector(mean);
        double meanMse = d.mul(d).meanNumber().doubleValue();
        List<EncoderProbe> out = new ArrayList<>();
        for (ComputationGraph encoder : encoders) {
            double probe = ridge(features(encoder, fit), yFit, features(encoder, heldOut), yHeld);
            out.add(new EncoderProbe(probe, randomProbe, meanMse, fit.size(), heldOut.size()));
        }
        return out;
    }

    /** Bottleneck activations, one row per frame. */
    static INDArray features(ComputationGraph g, List<Sample> samples) {
        List<INDArray> rows = new ArrayList<>();
        for (int i = 0; i < samples.size(); i += 16) {
            INDArray x = Tensors.images(samples.subList(i, Math.min(samples.size(), i + 16)));
            INDArray f = g.feedForward(x, false).get(MobileNetV2UNet.ENCODER_OUTPUT).dup();
            rows.add(f.reshape(f.size(0), f.length() / f.size(0)));
        }
        return Nd4j.vstack(rows.toArray(INDArray[]::new)).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
    }

    /** Clean frames averaged down to THUMBNAIL x THUMBNAIL x 3, one row per frame. */
    static INDArray thumbnails(List<Sample> samples) {
        int s = samples.get(0).size();
        int cell = s / THUMBNAIL;
        double[][] out = new double[samples.size()][3 * THUMBNAIL * THUMBNAIL];
        for (int n = 0; n < samples.size(); n++) {
            byte[] bgr = samples.get(n).bgr();
            for (int y = 0; y < s; y++) {
                for (int x = 0; x < s; x++) {
                    int t = (y / cell) * THUMBNAIL + x / cell;
                    for (int c = 0; c < 3; c++) {
                        out[n][c * THUMBNAIL * THUMBNAIL + t] += (bgr[(y * s + x) * 3 + c] & 0xff) / 255.0 / (cell * cell);
                    }
                }
            }
        }
        return Nd4j.create(out);
    }

    /** Ridge regression fitted on (xFit, yFit), MSE on (xHeld, yHeld); features standardised with the fit's statistics. */
    static double ridge(INDArray xFit, INDArray yFit, INDArray xHeld, INDArray yHeld) {
        INDArray mu = xFit.mean(0).reshape(1, xFit.columns());
        INDArray sd = xFit.std(0).reshape(1, xFit.columns()).addi(1e-6);
        INDArray a = xFit.subRowVector(mu).diviRowVector(sd);
        INDArray b = xHeld.subRowVector(mu).diviRowVector(sd);
        INDArray yMu = yFit.mean(0).reshape(1, yFit.columns());
        INDArray yc = yFit.subRowVector(yMu);
        // dual form (n x n): W = A^T (A A^T + lambda I)^-1 Y, cheap when features outnumber frames
        int n = (int) a.rows();
        INDArray k = a.mmul(a.transpose()).addi(Nd4j.eye(n).castTo(a.dataType()).muli(RIDGE * n));
        INDArray alpha = InvertMatrix.invert(k, false).mmul(yc);
        INDArray pred = b.mmul(a.transpose()).mmul(alpha).addiRowVector(yMu);
        INDArray d = pred.sub(yHeld);
        return d.mul(d).meanNumber().doubleValue();
    }
}
