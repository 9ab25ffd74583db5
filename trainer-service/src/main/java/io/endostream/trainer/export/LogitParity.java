package io.endostream.trainer.export;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Parity on what matters: the logits (the values before the output sigmoid) of DL4J and of the exported ONNX graph on
 * the same frames, at several batch sizes, and the share of mask pixels whose thresholded value differs. Comparing
 * probabilities alone can hide large errors: where the sigmoid saturates, logits of 20 and 30 both give 1.0.
 *
 * <p>The ONNX side reads the logits from the same exported bytes, with the tensor that feeds the output's Sigmoid
 * declared as an extra graph output (the written file is not changed). The DL4J side takes the activation of the
 * vertex feeding the {@code CnnLossLayer}.
 */
public final class LogitParity {

    /** Largest accepted |ONNX Runtime - DL4J| logit; float32 noise through ~60 layers stays orders of magnitude below. */
    public static final double LOGIT_TOLERANCE = 1e-3;
    /** Batch sizes the export's parity check runs. */
    public static final int[] BATCH_SIZES = {1, 4, 8};

    /**
     * One batch size's comparison over all frames.
     *
     * @param batchSize      frames per run (the last run may be smaller)
     * @param maxAbsLogit    largest |logit difference|
     * @param meanAbsLogit   mean |logit difference| over every output value
     * @param maxAbsProbability largest |probability difference| of the graph outputs
     * @param flipped        output values on different sides of the threshold
     * @param values         output values compared (frames x channels x height x width)
     */
    public record BatchResult(int batchSize, double maxAbsLogit, double meanAbsLogit, double maxAbsProbability,
                              long flipped, long values) {
        public double flipShare() {
            return values == 0 ? 0 : (double) flipped / values;
        }
    }

    /**
     * @param frames     where the frames came from (e.g. "validation frames of /data/kvasir-seg")
     * @param frameCount frames compared
     * @param threshold  probability threshold the flips are counted at
     * @param batches    one result per batch size
     */
    public record Report(String frames, int frameCount, double threshold, List<BatchResult> batches) {
        public double maxAbsLogit() {
            return batches.stream().mapToDouble(BatchResult::maxAbsLogit).max().orElse(0);
        }

        public double maxAbsProbability() {
            return batches.stream().mapToDouble(BatchResult::maxAbsProbability).max().orElse(0);
        }

        public double meanAbsLogit() {
            long n = batches.stream().mapToLong(BatchResult::values).sum();
            return n == 0 ? 0 : batches.stream().mapToDouble(b -> b.meanAbsLogit() * b.values()).sum() / n;
        }

        public long flipped() {
            return batches.stream().mapToLong(BatchResult::flipped).sum();
        }

        public double flipShare() {
            long n = batches.stream().mapToLong(BatchResult::values).sum();
            return n == 0 ? 0 : (double) flipped() / n;
        }

        /** For run summaries and JSON. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames", frames);
            m.put("frame_count", frameCount);
            m.put("threshold", threshold);
            m.put("max_abs_logit_diff", maxAbsLogit());
            m.put("mean_abs_logit_diff", meanAbsLogit());
            m.put("max_abs_probability_diff", maxAbsProbability());
            m.put("flipped_pixel_share", flipShare());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (BatchResult b : batches) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("batch_size", b.batchSize());
                r.put("max_abs_logit_diff", b.maxAbsLogit());
                r.put("mean_abs_logit_diff", b.meanAbsLogit());
                r.put("max_abs_probability_diff", b.maxAbsProbability());
                r.put("flipped_pixels", b.flipped());
                r.put("pixels", b.values());
                rows.add(r);
            }
            m.put("batches", rows);
            return m;
        }

        public String describe() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "logit parity on %d %s: max abs %.3g, mean abs %.3g, flipped at %.2f: %d of %d pixels (%.2g%%)",
                    frameCount, frames, maxAbsLogit(), meanAbsLogit(), threshold, flipped(),
                    batches.stream().mapToLong(BatchResult::values).sum(), 100 * flipShare()));
            for (BatchResult b : batches) {
                sb.append(String.format(Locale.ROOT, "; batch %d: max %.3g mean %.3g flips %d", b.batchSize(),
                        b.maxAbsLogit(), b.meanAbsLogit(), b.flipped()));
            }
            return sb.toString();
        }
    }

    private LogitParity() {
    }

    /**
     * Runs {@code frames} ([N,C,H,W], the model's input scaling) through DL4J (inference mode) and ONNX Runtime, in
     * runs of each batch size, and compares the logits feeding the (first) output's sigmoid.
     *
     * @param threshold probability threshold (0 < t < 1) at which flipped pixels are counted
     */
    public static Report measure(ComputationGraph graph, byte[] onnx, INDArray frames, String framesDescription,
                                 int[] batchSizes, double threshold) {
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1), was " + threshold);
        }
        String output = graph.getConfiguration().getNetworkOutputs().get(0);
        String logits = logitVertex(graph, output);
        double logitThreshold = Math.log(threshold / (1 - threshold));
        String input = graph.getConfiguration().getNetworkInputs().get(0);
        byte[] withLogits = withExtraOutput(onnx, logits);
        int n = (int) frames.size(0);
        List<BatchResult> results = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(withLogits, options)) {
            for (int batch : batchSizes) {
                if (batch < 1) {
                    throw new IllegalArgumentException("batch sizes must be >= 1, was " + batch);
                }
                double maxLogit = 0;
                double sumLogit = 0;
                double maxProb = 0;
                long flipped = 0;
                long values = 0;
                for (int start = 0; start < n; start += batch) {
                    INDArray x = frames.get(NDArrayIndex.interval(start, Math.min(n, start + batch)),
                            NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
                    Map<String, INDArray> acts = graph.feedForward(x, false);
                    float[] dl4jLogits = flat(acts.get(logits));
                    float[] dl4jProb = flat(acts.get(output));
                    float[] ortLogits;
                    float[] ortProb;
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(flat(x)), x.shape())) {
                        Map<String, OnnxTensor> feed = new HashMap<>();
                        feed.put(input, t);
                        try (OrtSession.Result r = session.run(feed)) {
                            ortLogits = floats((OnnxTensor) r.get(logits).orElseThrow());
                            ortProb = floats((OnnxTensor) r.get(output).orElseThrow());
                        }
                    }
                    if (ortLogits.length != dl4jLogits.length || ortProb.length != dl4jProb.length) {
                        throw new ExportParityException(Double.POSITIVE_INFINITY, LOGIT_TOLERANCE, "logit tensor '"
                                + logits + "' has " + ortLogits.length + " values in ONNX Runtime, "
                                + dl4jLogits.length + " in DL4J (batch " + batch + ")");
                    }
                    for (int i = 0; i < dl4jLogits.length; i++) {
                        double d = Math.abs((double) ortLogits[i] - dl4jLogits[i]);
                        if (!(d <= maxLogit)) {
                            maxLogit = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                        }
                        sumLogit += d;
                        if ((dl4jLogits[i] > logitThreshold) != (ortLogits[i] > logitThreshold)) {
                            flipped++;
                        }
                        double p = Math.abs((double) ortProb[i] - dl4jProb[i]);
                        if (!(p <= maxProb)) {
                            maxProb = Double.isNaN(p) ? Double.POSITIVE_INFINITY : p;
                        }
                    }
                    values += dl4jLogits.length;
                }
                results.add(new BatchResult(batch, maxLogit, values == 0 ? 0 : sumLogit / values, maxProb, flipped,
                        values));
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime rejected the exported graph: " + e.getMessage(), e);
        }
        return new Report(framesDescription, n, threshold, results);
    }

    /** The vertex whose activation is the output's logit: the input of a sigmoid CnnLossLayer. */
    static String logitVertex(ComputationGraph graph, String output) {
        GraphVertex v = graph.getConfiguration().getVertices().get(output);
        if (v instanceof FrozenVertex fv) {
            v = fv.getUnderlying();
        }
        if (v instanceof LayerVertex lv) {
            Layer l = lv.getLayerConf().getLayer();
            if (l instanceof FrozenLayer fl) {
                l = fl.getLayer();
            }
            if (l instanceof CnnLossLayer loss && loss.getActivationFn() instanceof ActivationSigmoid) {
                return graph.getConfiguration().getVertexInputs().get(output).get(0);
            }
        }
        throw new IllegalArgumentException("output '" + output + "' is not a sigmoid CnnLossLayer: no logits to compare");
    }

    /** The same model with {@code tensor} also declared as a graph output (float, shape left to the runtime). */
    static byte[] withExtraOutput(byte[] onnx, String tensor) {
        try {
            Onnx.ModelProto model = Onnx.ModelProto.parseFrom(onnx);
            Onnx.GraphProto graph = model.getGraph().toBuilder()
                    .addOutput(Onnx.ValueInfoProto.newBuilder().setName(tensor)
                            .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                                    .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE))))
                    .build();
            return model.toBuilder().setGraph(graph).build().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
        }
    }

    private static float[] flat(INDArray a) {
        return a.castTo(DataType.FLOAT).dup('c').reshape(a.length()).toFloatVector();
    }

    private static float[] floats(OnnxTensor t) {
        FloatBuffer fb = t.getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }
}
