package io.endostream.trainer.evaluate;

import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.SegmentationIterator;
import io.endostream.trainer.run.ProgressTracker;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a segmentation network over labelled samples and scores every image. */
public final class SegmentationEvaluator {
    private SegmentationEvaluator() {
    }

    /** Per-image scores and their means. */
    public record Evaluation(List<ImageScores> perImage, double threshold) {
        public double meanDice() {
            return perImage.stream().mapToDouble(ImageScores::dice).average().orElse(Double.NaN);
        }

        public double meanIou() {
            return perImage.stream().mapToDouble(ImageScores::iou).average().orElse(Double.NaN);
        }

        public double meanPrecision() {
            return perImage.stream().mapToDouble(ImageScores::precision).average().orElse(Double.NaN);
        }

        public double meanRecall() {
            return perImage.stream().mapToDouble(ImageScores::recall).average().orElse(Double.NaN);
        }

        public Map<String, Double> means() {
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("dice", meanDice());
            m.put("iou", meanIou());
            m.put("precision", meanPrecision());
            m.put("recall", meanRecall());
            return m;
        }

        /** The JSON document written by {@code evaluate}. */
        public Map<String, Object> toJson(Map<String, Object> about) {
            Map<String, Object> m = new LinkedHashMap<>(about);
            m.put("images", perImage.size());
            m.put("threshold", threshold);
            m.put("mean", means());
            m.put("per_image", perImage);
            return m;
        }
    }

    public static Evaluation evaluate(ComputationGraph graph, List<Sample> samples, int batchSize, double threshold,
                                      ProgressTracker tracker) {
        List<ImageScores> scores = new ArrayList<>();
        SegmentationIterator it = SegmentationIterator.inOrder(samples, batchSize);
        int index = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            INDArray out = graph.outputSingle(false, ds.getFeatures());
            int n = (int) out.size(0);
            int plane = (int) (out.size(2) * out.size(3));
            float[] all = out.dup('c').data().asFloat();
            for (int i = 0; i < n; i++) {
                float[] one = new float[plane];
                System.arraycopy(all, i * plane, one, 0, plane);
                Sample s = samples.get(index++);
                scores.add(ImageScores.of(s.id(), one, s.mask(), threshold));
            }
            if (tracker != null) {
                tracker.step(n, Map.of(), "scored " + index + "/" + samples.size());
            }
        }
        return new Evaluation(scores, threshold);
    }

    /** Probability maps of the first n samples (for pictures). */
    public static List<float[]> predict(ComputationGraph graph, List<Sample> samples, int n) {
        List<Sample> some = samples.subList(0, Math.min(n, samples.size()));
        DataSet ds = SegmentationIterator.inOrder(some, some.size()).next();
        INDArray out = graph.outputSingle(false, ds.getFeatures());
        int plane = (int) (out.size(2) * out.size(3));
        float[] all = out.dup('c').data().asFloat();
        List<float[]> maps = new ArrayList<>();
        for (int i = 0; i < some.size(); i++) {
            float[] one = new float[plane];
            System.arraycopy(all, i * plane, one, 0, plane);
            maps.add(one);
        }
        return maps;
    }
}
