package io.endostream.inference.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;
import org.opencv.core.CvType;
import org.opencv.core.Mat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * One model version in ONNX Runtime: the execution step between {@link Preprocessor} and {@link Postprocessor}.
 *
 * <p>Input and output live in direct buffers allocated once for the largest batch; ONNX Runtime reads the
 * input and writes the output in place (tensors wrap the buffers, outputs are pinned), so a run copies
 * nothing. Not thread-safe: one {@link DynamicBatcher} thread drives it ({@link #runAlone} excepted).
 */
public final class SegmentationModel implements AutoCloseable {

    private final ModelArtifact artifact;
    private final SessionFactory.OpenedSession opened;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final int maxBatch;
    private final int inputWidth;
    private final int inputHeight;
    private final int outputWidth;
    private final int outputHeight;
    private final long[] inputSampleShape;
    private final long[] outputSampleShape;
    private final int inputSampleFloats;
    private final int outputSampleFloats;
    private final ByteBuffer inputBytes;
    private final ByteBuffer outputBytes;
    private final OnnxTensor[] inputTensors;   // per batch size, lazily
    private final OnnxTensor[] outputTensors;  // per batch size, lazily
    private final Mat[] outputPlanes;          // CV_32F views of each output sample

    private SegmentationModel(ModelArtifact artifact, SessionFactory.OpenedSession opened, int requestedMaxBatch) {
        this.artifact = artifact;
        this.opened = opened;
        ModelManifest.Input in = artifact.manifest().input();
        this.inputWidth = in.width();
        this.inputHeight = in.height();
        boolean nchw = "NCHW".equalsIgnoreCase(in.layout());
        this.inputSampleShape = nchw ? new long[]{3, inputHeight, inputWidth} : new long[]{inputHeight, inputWidth, 3};
        this.inputSampleFloats = 3 * inputWidth * inputHeight;
        try {
            Map<String, NodeInfo> inputs = opened.session().getInputInfo();
            Map<String, NodeInfo> outputs = opened.session().getOutputInfo();
            NodeInfo inputInfo = inputs.get(in.name());
            if (inputInfo == null) {
                throw new ModelLoadException("model " + artifact.onnxFile() + " has no input named '" + in.name()
                        + "' (manifest input.name); it has " + inputs.keySet());
            }
            NodeInfo outputInfo = outputs.get(artifact.manifest().output().name());
            if (outputInfo == null) {
                throw new ModelLoadException("model " + artifact.onnxFile() + " has no output named '"
                        + artifact.manifest().output().name() + "' (manifest output.name); it has " + outputs.keySet());
            }
            long[] inShape = ((TensorInfo) inputInfo.getInfo()).getShape();
            boolean graphBatchIsDynamic = inShape.length > 0 && inShape[0] < 0;
            int cap = in.dynamicBatch() && graphBatchIsDynamic ? Math.max(1, in.maxBatch() > 0 ? in.maxBatch() : requestedMaxBatch) : 1;
            this.maxBatch = Math.max(1, Math.min(requestedMaxBatch, cap));
            long[] outShape = ((TensorInfo) outputInfo.getInfo()).getShape();
            int[] hw = outputSize(outShape, inputWidth, inputHeight);
            this.outputHeight = hw[0];
            this.outputWidth = hw[1];
            this.outputSampleShape = new long[outShape.length - 1];
            for (int i = 1; i < outShape.length; i++) {
                outputSampleShape[i - 1] = outShape[i] < 0 ? (i == outShape.length - 1 ? outputWidth : outputHeight) : outShape[i];
            }
        } catch (OrtException e) {
            throw new ModelLoadException("cannot inspect " + artifact.onnxFile() + ": " + e.getMessage(), e);
        }
        this.outputSampleFloats = outputWidth * outputHeight;
        this.inputBytes = ByteBuffer.allocateDirect(maxBatch * inputSampleFloats * Float.BYTES).order(ByteOrder.nativeOrder());
        this.outputBytes = ByteBuffer.allocateDirect(maxBatch * outputSampleFloats * Float.BYTES).order(ByteOrder.nativeOrder());
        this.inputTensors = new OnnxTensor[maxBatch + 1];
        this.outputTensors = new OnnxTensor[maxBatch + 1];
        this.outputPlanes = new Mat[maxBatch];
        for (int i = 0; i < maxBatch; i++) {
            outputPlanes[i] = new Mat(outputHeight, outputWidth, CvType.CV_32FC1, slice(outputBytes, i, outputSampleFloats));
        }
    }

    /** Opens and verifies the session (input/output names) and warms it up at every batch size. */
    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static SegmentationModel open(ModelArtifact artifact, SessionSettings settings) {
        byte[] onnx;
        try {
            onnx = java.nio.file.Files.readAllBytes(artifact.onnxFile());
        } catch (java.io.IOException e) {
            throw new ModelLoadException("cannot read " + artifact.onnxFile() + ": " + e.getMessage(), e);
        }
        String actual = sha256(onnx);
        if (!actual.equalsIgnoreCase(artifact.manifest().onnxSha256())) { // checked again on the bytes ORT gets
            throw new ModelLoadException("SHA-256 of " + artifact.onnxFile() + " is " + actual + " but its manifest says "
                    + artifact.manifest().onnxSha256() + ": refusing to load " + artifact.ref());
        }
        SessionFactory.OpenedSession opened = new SessionFactory(settings).open(onnx, artifact.onnxFile());
        SegmentationModel model;
        try {
            model = new SegmentationModel(artifact, opened, Math.max(1, settings.maxBatchSize()));
        } catch (RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        try {
            model.warmUp(settings.warmupRuns());
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private void warmUp(int runs) {
        for (int n = 1; n <= maxBatch; n++) {
            for (int r = 0; r < Math.max(1, runs); r++) {
                run(n);
            }
        }
    }

    /** Where the preprocessor's output for sample {@code i} of the next batch goes (a view, position 0). */
    public FloatBuffer inputSample(int i) {
        return slice(inputBytes, i, inputSampleFloats).asFloatBuffer();
    }

    /** Runs the first {@code n} samples; afterwards {@link #outputPlane(int)} holds the masks. */
    public void run(int n) {
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " outside 1.." + maxBatch);
        }
        try {
            OnnxTensor input = inputTensors[n];
            if (input == null) {
                input = inputTensors[n] = OnnxTensor.createTensor(env,
                        slice(inputBytes, 0, n * inputSampleFloats).asFloatBuffer(), withBatch(n, inputSampleShape));
                outputTensors[n] = OnnxTensor.createTensor(env,
                        slice(outputBytes, 0, n * outputSampleFloats).asFloatBuffer(), withBatch(n, outputSampleShape));
            }
            try (OrtSession.Result ignored = opened.session().run(Map.of(manifest().input().name(), input),
                    Map.of(manifest().output().name(), outputTensors[n]))) {
                // the output was written into outputBytes; the result owns nothing we need
            }
        } catch (OrtException e) {
            throw new IllegalStateException("inference failed on " + ref() + " (batch " + n + "): " + e.getMessage(), e);
        }
    }

    /**
     * Runs one sample outside the batcher, for the shadow path: its own input tensor (wrapping {@code sample}, no
     * copy when direct) and output, so it may run on another thread while the batcher thread runs this session
     * (ONNX Runtime sessions take concurrent runs). Returns the output as a new CV_32F {@code outputHeight x
     * outputWidth} Mat that the caller owns and releases; every tensor is closed here.
     */
    public Mat runAlone(FloatBuffer sample) {
        try (OnnxTensor input = OnnxTensor.createTensor(env, sample, withBatch(1, inputSampleShape));
             OrtSession.Result result = opened.session().run(Map.of(manifest().input().name(), input),
                     java.util.Set.of(manifest().output().name()))) {
            FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] values = new float[outputSampleFloats];
            out.get(values);
            Mat plane = new Mat(outputHeight, outputWidth, CvType.CV_32FC1);
            plane.put(0, 0, values);
            return plane;
        } catch (OrtException e) {
            throw new IllegalStateException("inference failed on " + ref() + " (alone): " + e.getMessage(), e);
        }
    }

    /** Sample {@code i}'s output of the last run, as a CV_32F {@code outputHeight x outputWidth} view (do not release). */
    public Mat outputPlane(int i) {
        return outputPlanes[i];
    }

    public ModelManifest manifest() {
        return artifact.manifest();
    }

    public ModelRef ref() {
        return artifact.ref();
    }

    public ExecutionProvider provider() {
        return opened.provider();
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int inputWidth() {
        return inputWidth;
    }

    public int inputHeight() {
        return inputHeight;
    }

    public int inputSampleFloats() {
        return inputSampleFloats;
    }

    @Override
    public void close() {
        for (Mat plane : outputPlanes) {
            plane.release();
        }
        for (int n = 1; n <= maxBatch; n++) {
            if (inputTensors[n] != null) {
                inputTensors[n].close();
            }
            if (outputTensors[n] != null) {
                outputTensors[n].close();
            }
        }
        closeQuietly(opened);
    }

    private static void closeQuietly(SessionFactory.OpenedSession opened) {
        try {
            opened.session().close();
        } catch (OrtException ignored) {
            // nothing useful to do while shutting a session down
        }
        opened.options().close();
    }

    private static ByteBuffer slice(ByteBuffer buffer, int sample, int floatsPerSample) {
        return buffer.slice(sample * floatsPerSample * Float.BYTES, floatsPerSample * Float.BYTES).order(ByteOrder.nativeOrder());
    }

    private static long[] withBatch(int n, long[] sampleShape) {
        long[] shape = new long[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    /** [N,1,H,W], [N,H,W,1] or [N,H,W]; dynamic spatial sizes default to the input size. */
    private static int[] outputSize(long[] shape, int inputWidth, int inputHeight) {
        long h;
        long w;
        if (shape.length == 4 && shape[1] == 1) {
            h = shape[2];
            w = shape[3];
        } else if (shape.length == 4 && shape[3] == 1) {
            h = shape[1];
            w = shape[2];
        } else if (shape.length == 3) {
            h = shape[1];
            w = shape[2];
        } else {
            throw new ModelLoadException("unsupported mask output shape " + java.util.Arrays.toString(shape)
                    + ": expected [N,1,H,W], [N,H,W,1] or [N,H,W]");
        }
        return new int[]{(int) (h < 0 ? inputHeight : h), (int) (w < 0 ? inputWidth : w)};
    }
}
