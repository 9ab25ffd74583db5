package io.endostream.trainer.pretrain;

import io.endostream.trainer.model.MobileNetV2UNet;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconstruction error of a pretrained network with and without its skip connections (skips zeroed at inference by
 * {@link MobileNetV2UNet#withoutSkips}). A plain autoencoder that copies its input through the skips reconstructs well
 * with them and badly without: a large ratio means the deep path learnt little.
 *
 * @param cleanWithSkips       MSE on clean input -> clean image, network as trained
 * @param cleanWithoutSkips    same, skips zeroed
 * @param objectiveWithSkips   MSE on the objective's corrupted input, counted where its loss counts
 * @param objectiveWithoutSkips same, skips zeroed
 * @param images               how many validation images were measured
 * @param copyInputMse         baseline: MSE of simply returning the (corrupted) input, counted like the objective's
 *                             loss (0 for reconstruct: copying wins it outright)
 * @param meanImageMse         baseline: MSE of predicting the per-pixel mean of the measured clean images, counted
 *                             like the objective's loss (what a network that ignores its input can reach)
 */
public record SkipDiagnostic(double cleanWithSkips, double cleanWithoutSkips, double objectiveWithSkips,
                             double objectiveWithoutSkips, int images, double copyInputMse, double meanImageMse) {

    /** cleanWithoutSkips / cleanWithSkips: how much the clean reconstruction depends on the skips. */
    public double cleanGapRatio() {
        return cleanWithoutSkips / Math.max(1e-12, cleanWithSkips);
    }

    public double objectiveGapRatio() {
        return objectiveWithoutSkips / Math.max(1e-12, objectiveWithSkips);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("images", images);
        m.put("clean_mse_with_skips", cleanWithSkips);
        m.put("clean_mse_without_skips", cleanWithoutSkips);
        m.put("clean_gap_ratio", cleanGapRatio());
        m.put("objective_mse_with_skips", objectiveWithSkips);
        m.put("objective_mse_without_skips", objectiveWithoutSkips);
        m.put("objective_gap_ratio", objectiveGapRatio());
        m.put("baseline_copy_input_mse", copyInputMse);
        m.put("baseline_mean_image_mse", meanImageMse);
        // where the network sits between the baselines: 0 = no better than the mean image, 1 = perfect
        m.put("objective_skill_vs_mean_image", 1 - objectiveWithSkips / Math.max(1e-12, meanImageMse));
        m.put("objective_skill_vs_mean_image_without_skips", 1 - objectiveWithoutSkips / Math.max(1e-12, meanImageMse));
        return m;
    }

    /**
     * @param batches validation batches from a {@link PretextIterator} of the run's objective (features corrupted,
     *                labels clean, optional labels mask)
     */
    public static SkipDiagnostic measure(ComputationGraph trained, List<DataSet> batches) {
        ComputationGraph noSkips = MobileNetV2UNet.withoutSkips(trained);
        double[] sums = new double[6];
        double[] weights = new double[6];
        int images = 0;
        INDArray mean = null;
        for (DataSet ds : batches) {
            INDArray s = ds.getLabels().sum(0);
            mean = mean == null ? s : mean.addi(s);
            images += (int) ds.getLabels().size(0);
        }
        mean.divi(Math.max(1, images));
        images = 0;
        for (DataSet ds : batches) {
            INDArray clean = ds.getLabels();
            INDArray corrupted = ds.getFeatures();
            INDArray lossMask = ds.getLabelsMaskArray();
            images += (int) clean.size(0);
            accumulate(trained.outputSingle(false, clean), clean, null, sums, weights, 0);
            accumulate(noSkips.outputSingle(false, clean), clean, null, sums, weights, 1);
            accumulate(trained.outputSingle(false, corrupted), clean, lossMask, sums, weights, 2);
            accumulate(noSkips.outputSingle(false, corrupted), clean, lossMask, sums, weights, 3);
            accumulate(corrupted.dup(), clean, lossMask, sums, weights, 4);
            long[] one = clean.shape().clone();
            one[0] = 1;
            accumulate(mean.reshape(one).repeat(0, clean.size(0)), clean, lossMask, sums, weights, 5);
        }
        return new SkipDiagnostic(sums[0] / weights[0], sums[1] / weights[1], sums[2] / weights[2], sums[3] / weights[3],
                images, sums[4] / weights[4], sums[5] / weights[5]);
    }

    private static void accumulate(INDArray out, INDArray target, INDArray mask, double[] sums, double[] weights, int slot) {
        INDArray sq = out.sub(target);
        sq.muli(sq);
        if (mask == null) {
            sums[slot] += sq.sumNumber().doubleValue();
            weights[slot] += sq.length();
        } else {
            INDArray broadcast = sq.mul(mask.repeat(1, target.size(1)));
            sums[slot] += broadcast.sumNumber().doubleValue();
            weights[slot] += mask.sumNumber().doubleValue() * target.size(1);
        }
    }
}
