package io.endostream.gateway.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.gateway.core.GraphChecker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Opens the ONNX file with ONNX Runtime (CPU, one thread, no optimisation: only the graph's signature matters) and
 * checks the manifest against it: input and output names exist, the input is a rank-4 float tensor whose layout,
 * channels, height and width agree with the manifest (a dynamic axis agrees with anything), and the batch axis is
 * dynamic exactly when the manifest says {@code dynamicBatch}, or fixed at least at {@code maxBatch}.
 */
public final class OrtGraphChecker implements GraphChecker {

    @Override
    public List<Problem> check(ModelManifest manifest, Path onnx) {
        List<Problem> problems = new ArrayList<>();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(onnx.toString(), options)) {
                checkInput(manifest.input(), session.getInputInfo(), problems);
                checkOutput(manifest, session.getOutputInfo(), session.getInputInfo(), problems);
            }
        } catch (OrtException e) {
            problems.add(new Problem("onnxFile", "ONNX Runtime cannot open the uploaded model: " + e.getMessage()));
        }
        return problems;
    }

    private static void checkInput(ModelManifest.Input in, Map<String, NodeInfo> inputs, List<Problem> problems) {
        NodeInfo node = inputs.get(in.name());
        if (node == null) {
            problems.add(new Problem("input.name", "input.name \"" + in.name() + "\" is not an input of the graph; "
                    + "its inputs are " + inputs.keySet()));
            return;
        }
        if (!(node.getInfo() instanceof TensorInfo tensor)) {
            problems.add(new Problem("input.name", "input \"" + in.name() + "\" is not a tensor"));
            return;
        }
        if (tensor.type != OnnxJavaType.FLOAT) {
            problems.add(new Problem("input.name", "input \"" + in.name() + "\" is " + tensor.type
                    + ", the service feeds float32"));
        }
        long[] shape = tensor.getShape();
        if (shape.length != 4) {
            problems.add(new Problem("input.layout", "input \"" + in.name() + "\" has rank " + shape.length
                    + " (shape " + Arrays.toString(shape) + "); an image input needs rank 4 (" + in.layout() + ")"));
            return;
        }
        boolean nchw = "NCHW".equals(in.layout());
        long channels = nchw ? shape[1] : shape[3];
        long height = nchw ? shape[2] : shape[1];
        long width = nchw ? shape[3] : shape[2];
        String shapeText = Arrays.toString(shape) + " (-1 = dynamic)";
        if (channels >= 0 && channels != 3) {
            problems.add(new Problem("input.layout", "input.layout is " + in.layout() + " but the graph's input shape "
                    + shapeText + " has " + channels + " channels there, not 3"));
        }
        if (height >= 0 && height != in.height()) {
            problems.add(new Problem("input.height", "input.height is " + in.height() + " but the graph's input shape "
                    + shapeText + " has height " + height + " (" + in.layout() + ")"));
        }
        if (width >= 0 && width != in.width()) {
            problems.add(new Problem("input.width", "input.width is " + in.width() + " but the graph's input shape "
                    + shapeText + " has width " + width + " (" + in.layout() + ")"));
        }
        long batch = shape[0];
        if (in.dynamicBatch() && batch >= 0) {
            problems.add(new Problem("input.dynamicBatch", "input.dynamicBatch is true but the graph's batch axis is "
                    + "fixed at " + batch + " (shape " + shapeText + ")"));
        }
        if (!in.dynamicBatch() && batch > 0 && in.maxBatch() > batch) {
            problems.add(new Problem("input.maxBatch", "input.maxBatch is " + in.maxBatch()
                    + " but the graph's batch axis is fixed at " + batch));
        }
    }

    private static void checkOutput(ModelManifest manifest, Map<String, NodeInfo> outputs, Map<String, NodeInfo> inputs,
                                    List<Problem> problems) {
        NodeInfo node = outputs.get(manifest.output().name());
        if (node == null) {
            problems.add(new Problem("output.name", "output.name \"" + manifest.output().name()
                    + "\" is not an output of the graph; its outputs are " + outputs.keySet()));
            return;
        }
        if (!(node.getInfo() instanceof TensorInfo tensor)) {
            problems.add(new Problem("output.name", "output \"" + manifest.output().name() + "\" is not a tensor"));
            return;
        }
        long[] shape = tensor.getShape();
        if (shape.length < 3 || shape.length > 4) {
            problems.add(new Problem("output.name", "output \"" + manifest.output().name() + "\" has shape "
                    + Arrays.toString(shape) + "; a mask output needs rank 3 or 4"));
            return;
        }
        if (manifest.input().dynamicBatch() && shape[0] >= 0 && inputs.containsKey(manifest.input().name())) {
            problems.add(new Problem("input.dynamicBatch", "input.dynamicBatch is true but the output \""
                    + manifest.output().name() + "\" has a batch axis fixed at " + shape[0]));
        }
    }
}
