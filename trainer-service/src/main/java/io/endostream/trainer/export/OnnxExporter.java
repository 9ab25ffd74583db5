package io.endostream.trainer.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.endostream.contracts.model.ModelManifest;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exports a DL4J {@link ComputationGraph} (the MobileNetV2 U-Net, full, transferred or frozen) to ONNX and proves the
 * export right before writing anything: ONNX Runtime and DL4J run the same random inputs and the largest absolute
 * difference must stay within {@link #PARITY_TOLERANCE}.
 */
public final class OnnxExporter {

    /** Largest accepted |ONNX Runtime - DL4J| over all output values of the parity samples. */
    public static final double PARITY_TOLERANCE = 1e-4;
    /** ONNX operator set emitted. */
    public static final int OPSET = OnnxGraphWriter.OPSET;
    /** Name of the symbolic batch dimension of inputs and outputs. */
    public static final String BATCH_DIM = OnnxGraphWriter.BATCH_DIM;

    static {
        io.endostream.trainer.model.Dl4jNative.configure();
    }

    private OnnxExporter() {
    }

    /**
     * Serialises the graph to ONNX bytes (no parity check).
     *
     * @param height   input height in pixels
     * @param width    input width in pixels
     * @param channels input channels (3 for RGB)
     */
    public static byte[] toOnnx(ComputationGraph graph, int height, int width, int channels) {
        return new OnnxGraphWriter(graph, height, width, channels).write("endostream");
    }

    /**
     * Writes {@code outDir/model.onnx} and {@code outDir/manifest.json}, proving parity on {@code paritySamples} seeded
     * uniform random images (use {@link #export(ComputationGraph, ModelManifest, Path, INDArray, String)} with real
     * frames when there are some).
     *
     * @param paritySamples number of random images run through both DL4J and ONNX Runtime (at least 1)
     * @throws ExportParityException when the outputs differ (see the frames variant); nothing is written
     */
    public static ExportResult export(ComputationGraph graph, ModelManifest manifestWithoutSha, Path outDir,
                                      int paritySamples, long seed) {
        if (paritySamples < 1) {
            throw new IllegalArgumentException("paritySamples must be >= 1, was " + paritySamples);
        }
        requireInputSize(manifestWithoutSha);
        ModelManifest.Input in = manifestWithoutSha.input();
        Nd4j.getRandom().setSeed(seed);
        INDArray frames = Nd4j.rand(DataType.FLOAT, paritySamples, 3, in.height(), in.width());
        return export(graph, manifestWithoutSha, outDir, frames, "random images (seed " + seed + ")");
    }

    /**
     * Writes {@code outDir/model.onnx} and {@code outDir/manifest.json}.
     *
     * <p>From the graph the manifest gets: onnxSha256, onnxFile "model.onnx", input name / layout NCHW / dynamic
     * batch, output name (the graph's first output) and activation ("none" when the graph ends in a sigmoid, else
     * "sigmoid"). The caller's manifest supplies name, version, input width/height (must be set), channel order,
     * normalisation, maxBatch, threshold, training summary and metrics; missing normalisation defaults to the
     * trainer's (RGB, scale 1/255, mean 0, std 1), a missing threshold to 0.5, createdAt to now.
     *
     * <p>Parity before writing ({@link LogitParity}): {@code frames} run through DL4J and ONNX Runtime in runs of 1, 4
     * and 8 frames (those not above the frame count, plus the frame count); the logits before the sigmoid must agree
     * within {@link LogitParity#LOGIT_TOLERANCE} and the probabilities within {@link #PARITY_TOLERANCE}.
     *
     * @param frames            [N,3,H,W] in the model's input scaling, ideally real validation frames
     * @param framesDescription where they came from, for the report
     * @throws ExportParityException when the check fails; its message names the figures; nothing is written
     */
    public static ExportResult export(ComputationGraph graph, ModelManifest manifestWithoutSha, Path outDir,
                                      INDArray frames, String framesDescription) {
        requireInputSize(manifestWithoutSha);
        if (frames == null || frames.rank() != 4 || frames.size(0) < 1) {
            throw new IllegalArgumentException("parity needs at least one [N,3,H,W] frame");
        }
        ModelManifest.Input in = manifestWithoutSha.input();
        if (in.width() <= 0 || in.height() <= 0) {
            throw new IllegalArgumentException("manifest input.width and input.height must be > 0, were "
                    + in.width() + "x" + in.height());
        }
        int channels = 3;
        byte[] onnx = toOnnx(graph, in.height(), in.width(), channels);
        ModelManifest.Output requested = manifestWithoutSha.output();
        double parityThreshold = requested != null && requested.threshold() > 0 && requested.threshold() < 1
                ? requested.threshold() : 0.5;
        LogitParity.Report report = LogitParity.measure(graph, onnx, frames, framesDescription,
                paritySizes((int) frames.size(0)), parityThreshold);
        if (report.maxAbsLogit() > LogitParity.LOGIT_TOLERANCE || report.maxAbsProbability() > PARITY_TOLERANCE) {
            throw new ExportParityException(Math.max(report.maxAbsLogit(), report.maxAbsProbability()),
                    LogitParity.LOGIT_TOLERANCE, report.describe() + "; max abs probability difference "
                    + String.format(Locale.ROOT, "%.3g", report.maxAbsProbability()) + " (tolerance "
                    + PARITY_TOLERANCE + ")");
        }
        double maxAbsDiff = report.maxAbsProbability();

        String outputName = graph.getConfiguration().getNetworkOutputs().get(0);
        String activation = outputActivation(graph, outputName) instanceof ActivationSigmoid ? "none" : "sigmoid";
        ModelManifest.Input input = new ModelManifest.Input(graph.getConfiguration().getNetworkInputs().get(0), "NCHW",
                in.width(), in.height(), in.channelOrder() == null ? "RGB" : in.channelOrder(),
                in.mean() == null ? new double[]{0, 0, 0} : in.mean(),
                in.std() == null ? new double[]{1, 1, 1} : in.std(),
                in.scale() > 0 ? in.scale() : 1.0 / 255, true, in.maxBatch() > 0 ? in.maxBatch() : 16);
        ModelManifest.Output prior = manifestWithoutSha.output();
        double threshold = prior != null && prior.threshold() > 0 && prior.threshold() < 1 ? prior.threshold() : 0.5;
        ModelManifest.Output output = new ModelManifest.Output(outputName, activation, threshold);

        try {
            Files.createDirectories(outDir);
            Path onnxPath = outDir.resolve(ModelManifest.DEFAULT_ONNX_FILE);
            Path tmp = Files.createTempFile(outDir, "model", ".onnx.tmp");
            try {
                Files.write(tmp, onnx);
                moveAtomically(tmp, onnxPath);
            } finally {
                Files.deleteIfExists(tmp);
            }
            String sha = ModelManifest.sha256(onnxPath);
            String createdAt = manifestWithoutSha.createdAt() != null ? manifestWithoutSha.createdAt()
                    : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            Map<String, Double> metrics = manifestWithoutSha.metrics();
            ModelManifest manifest = new ModelManifest(manifestWithoutSha.name(), manifestWithoutSha.version(), sha,
                    ModelManifest.DEFAULT_ONNX_FILE, input, output, manifestWithoutSha.training(), metrics, createdAt)
                    .validate();
            Path manifestPath = outDir.resolve(ModelManifest.FILE_NAME);
            manifest.write(manifestPath);
            return new ExportResult(onnxPath, manifestPath, maxAbsDiff, sha, report);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ONNX export to " + outDir + ": " + e.getMessage(), e);
        }
    }

    private static void requireInputSize(ModelManifest manifestWithoutSha) {
        if (manifestWithoutSha == null || manifestWithoutSha.input() == null) {
            throw new IllegalArgumentException("manifest.input (with width and height) is required for export");
        }
        ModelManifest.Input in = manifestWithoutSha.input();
        if (in.width() <= 0 || in.height() <= 0) {
            throw new IllegalArgumentException("manifest input.width and input.height must be > 0, were "
                    + in.width() + "x" + in.height());
        }
    }

    /** 1, 4, 8 where not above the frame count, and the frame count itself (one run of everything). */
    static int[] paritySizes(int frames) {
        java.util.TreeSet<Integer> sizes = new java.util.TreeSet<>();
        for (int b : LogitParity.BATCH_SIZES) {
            if (b <= frames) {
                sizes.add(b);
            }
        }
        sizes.add(frames);
        return sizes.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Runs {@code samples} random images (uniform in [0,1), seeded) through DL4J (inference mode) and ONNX Runtime,
     * as one batch and the first image alone (proving the dynamic batch axis), and returns the max abs difference.
     *
     * @throws ExportParityException when it exceeds {@link #PARITY_TOLERANCE}
     */
    public static double parity(ComputationGraph graph, byte[] onnx, int samples, long seed, int height, int width,
                                int channels) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, samples, channels, height, width);
        List<String> outputs = graph.getConfiguration().getNetworkOutputs();
        INDArray[] expected = graph.output(false, x.dup());
        double max = 0;
        String worst = "";
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession session = env.createSession(onnx, options)) {
                for (int batch : samples > 1 ? new int[]{samples, 1} : new int[]{1}) {
                    INDArray xb = batch == samples ? x : x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
                    float[] data = xb.dup('c').reshape(xb.length()).toFloatVector();
                    Map<String, OnnxTensor> feed = new HashMap<>();
                    try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), xb.shape())) {
                        feed.put(graph.getConfiguration().getNetworkInputs().get(0), t);
                        try (OrtSession.Result result = session.run(feed)) {
                            for (int o = 0; o < outputs.size(); o++) {
                                OnnxTensor out = (OnnxTensor) result.get(outputs.get(o)).orElseThrow(
                                        () -> new IllegalStateException("ONNX output missing"));
                                INDArray exp = batch == samples ? expected[o]
                                        : expected[o].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1));
                                long[] shape = out.getInfo().getShape();
                                if (!Arrays.equals(shape, exp.shape())) {
                                    throw new ExportParityException(Double.POSITIVE_INFINITY, PARITY_TOLERANCE,
                                            "output '" + outputs.get(o) + "' shape " + Arrays.toString(shape)
                                                    + " vs DL4J " + Arrays.toString(exp.shape()));
                                }
                                FloatBuffer fb = out.getFloatBuffer();
                                float[] actual = new float[fb.remaining()];
                                fb.get(actual);
                                float[] want = exp.castTo(DataType.FLOAT).dup('c').reshape(exp.length()).toFloatVector();
                                for (int i = 0; i < want.length; i++) {
                                    double d = Math.abs((double) actual[i] - want[i]);
                                    if (!(d <= max)) { // NaN counts as worst
                                        max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                                        worst = "output '" + outputs.get(o) + "', batch " + batch + ", element " + i;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime rejected the exported graph: " + e.getMessage(), e);
        }
        if (max > PARITY_TOLERANCE) {
            throw new ExportParityException(max, PARITY_TOLERANCE, "worst at " + worst + ", " + samples
                    + " random samples, seed " + seed);
        }
        return max;
    }

    private static IActivation outputActivation(ComputationGraph graph, String outputName) {
        GraphVertex v = graph.getConfiguration().getVertices().get(outputName);
        if (v instanceof FrozenVertex fv) {
            v = fv.getUnderlying();
        }
        if (v instanceof LayerVertex lv) {
            Layer l = lv.getLayerConf().getLayer();
            if (l instanceof FrozenLayer fl) {
                l = fl.getLayer();
            }
            if (l instanceof CnnLossLayer c) {
                return c.getActivationFn();
            }
            if (l instanceof BaseOutputLayer b) {
                return b.getActivationFn();
            }
        }
        return null;
    }

    /** Human-readable one-liner for logs. */
    public static String describe(ExportResult r) {
        return String.format(Locale.ROOT, "%s (sha256 %s, parity max abs diff %.2e)", r.onnx(), r.sha256(),
                r.maxAbsDiff());
    }
}
