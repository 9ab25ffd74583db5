package io.endostream.trainer.export;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.protobuf.ByteString;

/**
 * Walks a DL4J {@link ComputationGraph} in topological order and emits the equivalent ONNX graph (opset 13, NCHW,
 * float32, batch dimension symbolic). Frozen layers and vertices (transfer learning) are unwrapped. Unsupported layers
 * fail with the layer's name and type.
 *
 * <p>Mapping: ConvolutionLayer -> Conv; DepthwiseConvolution2D -> Conv with group = input channels (weights
 * [kH,kW,inC,mult] permuted to [inC*mult,1,kH,kW]); SeparableConvolution2D -> depthwise Conv + 1x1 Conv;
 * BatchNormalization -> BatchNormalization (variance = (10^log10stdev)^2 when DL4J keeps log std);
 * ActivationLayer / layer activations -> Relu, Clip(0,6), Sigmoid, Tanh, LeakyRelu; ElementWiseVertex -> Add/Sub/Mul/
 * Max/Mean; MergeVertex -> Concat(axis 1); ScaleVertex -> Mul (Identity when 1); Upsampling2D -> Resize(nearest,
 * asymmetric, floor); CnnLossLayer -> its activation only. ConvolutionMode Same -> explicit pads computed like DL4J
 * (extra pad at the end, as ONNX SAME_UPPER).
 */
final class OnnxGraphWriter {

    static final int OPSET = 13;
    static final long IR_VERSION = 7;
    static final String BATCH_DIM = "N";

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final Map<String, InputType> types;
    private final InputType inputType;
    private final Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder();
    private final Map<String, String> constants = new HashMap<>();
    private int counter;

    OnnxGraphWriter(ComputationGraph graph, int height, int width, int channels) {
        this.graph = graph;
        this.conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            throw new IllegalArgumentException("ONNX export supports graphs with exactly one input, this one has "
                    + conf.getNetworkInputs());
        }
        this.inputType = InputType.convolutional(height, width, channels);
        this.types = conf.getLayerActivationTypes(inputType);
    }

    byte[] write(String graphName) {
        g.setName(graphName);
        String input = conf.getNetworkInputs().get(0);
        g.addInput(valueInfo(input, shape4(inputType)));
        for (int idx : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[idx].getVertexName();
            if (conf.getNetworkInputs().contains(name)) {
                continue;
            }
            emitVertex(name);
        }
        for (String out : conf.getNetworkOutputs()) {
            g.addOutput(valueInfo(out, shape4(types.get(out))));
        }
        Onnx.ModelProto model = Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("endostream-trainer")
                .setProducerVersion("dl4j-1.0.0-M2.1")
                .setDomain("io.endostream")
                .setModelVersion(1)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(g)
                .build();
        return model.toByteArray();
    }

    private long[] shape4(InputType t) {
        if (!(t instanceof InputType.InputTypeConvolutional c)) {
            throw new IllegalArgumentException("ONNX export supports convolutional activations only, got " + t);
        }
        if (c.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException("ONNX export supports NCHW only, got " + c.getFormat());
        }
        return new long[]{-1, c.getChannels(), c.getHeight(), c.getWidth()};
    }

    private static Onnx.ValueInfoProto valueInfo(String name, long[] shape) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH_DIM)
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name)
                .setType(Onnx.TypeProto.newBuilder().setTensorType(Onnx.TypeProto.Tensor.newBuilder()
                        .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(s)))
                .build();
    }

    private void emitVertex(String name) {
        GraphVertex v = conf.getVertices().get(name);
        if (v instanceof FrozenVertex fv) {
            v = fv.getUnderlying();
        }
        List<String> inputs = conf.getVertexInputs().get(name);
        if (v instanceof LayerVertex lv) {
            if (lv.getPreProcessor() != null) {
                throw unsupported(name, "input preprocessor " + lv.getPreProcessor().getClass().getSimpleName());
            }
            Layer layer = unwrap(lv.getLayerConf().getLayer());
            emitLayer(name, layer, single(name, inputs));
        } else if (v instanceof MergeVertex mv) {
            node("Concat", inputs, name, intAttr("axis", 1));
        } else if (v instanceof ElementWiseVertex ev) {
            String op = switch (ev.getOp()) {
                case Add -> inputs.size() > 2 ? "Sum" : "Add";
                case Subtract -> "Sub";
                case Product -> "Mul";
                case Max -> "Max";
                case Average -> "Mean";
            };
            node(op, inputs, name);
        } else if (v instanceof ScaleVertex sv) {
            if (sv.getScaleFactor() == 1.0) {
                node("Identity", inputs, name);
            } else {
                node("Mul", List.of(single(name, inputs), scalar((float) sv.getScaleFactor())), name);
            }
        } else {
            throw unsupported(name, v.getClass().getSimpleName());
        }
    }

    private static Layer unwrap(Layer layer) {
        if (layer instanceof FrozenLayer fl) {
            return unwrap(fl.getLayer());
        }
        if (layer instanceof FrozenLayerWithBackprop fl) {
            return unwrap(fl.getUnderlying());
        }
        return layer;
    }

    private static String single(String name, List<String> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("layer " + name + " has " + inputs.size() + " inputs, expected 1");
        }
        return inputs.get(0);
    }

    private static IllegalArgumentException unsupported(String name, String what) {
        return new IllegalArgumentException("ONNX export does not support vertex '" + name + "' (" + what + ")");
    }

    private void emitLayer(String name, Layer layer, String in) {
        org.deeplearning4j.nn.api.Layer runtime = graph.getLayer(name);
        if (layer instanceof SeparableConvolution2D sep) {
            checkConvFormat(name, sep.getCnn2dDataFormat());
            InputType.InputTypeConvolutional inType = inType(name);
            long inC = inType.getChannels();
            INDArray dw = runtime.getParam(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY); // [mult, inC, kH, kW]
            long mult = dw.size(0);
            INDArray dwOnnx = dw.permute(1, 0, 2, 3).dup('c').reshape(inC * mult, 1, dw.size(2), dw.size(3));
            String mid = fresh(name + "/depthwise");
            List<String> dwIn = List.of(in, tensor(name + ".depthwise_W", dwOnnx));
            node("Conv", dwIn, mid, convAttrs(name, sep, inType, inC));
            INDArray pw = runtime.getParam(SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY);
            List<String> pwIn = new ArrayList<>(List.of(mid, tensor(name + ".W", pw)));
            if (sep.hasBias()) {
                pwIn.add(tensor(name + ".b", runtime.getParam("b").reshape(-1)));
            }
            String conv = preActivationName(name, sep.getActivationFn());
            node("Conv", pwIn, conv, intsAttr("kernel_shape", 1, 1));
            activation(name, sep.getActivationFn(), conv, name);
        } else if (layer instanceof Deconvolution2D) {
            throw unsupported(name, "Deconvolution2D");
        } else if (layer instanceof DepthwiseConvolution2D dwc) {
            checkConvFormat(name, dwc.getCnn2dDataFormat());
            InputType.InputTypeConvolutional inType = inType(name);
            INDArray w = runtime.getParam("W"); // [kH, kW, inC, mult]
            long inC = w.size(2);
            long mult = w.size(3);
            INDArray wOnnx = w.permute(2, 3, 0, 1).dup('c').reshape(inC * mult, 1, w.size(0), w.size(1));
            List<String> ins = new ArrayList<>(List.of(in, tensor(name + ".W", wOnnx)));
            if (dwc.hasBias()) {
                ins.add(tensor(name + ".b", runtime.getParam("b").reshape(-1)));
            }
            String conv = preActivationName(name, dwc.getActivationFn());
            node("Conv", ins, conv, convAttrs(name, dwc, inType, inC));
            activation(name, dwc.getActivationFn(), conv, name);
        } else if (layer instanceof ConvolutionLayer c) {
            checkConvFormat(name, c.getCnn2dDataFormat());
            InputType.InputTypeConvolutional inType = inType(name);
            List<String> ins = new ArrayList<>(List.of(in, tensor(name + ".W", runtime.getParam("W"))));
            if (c.hasBias()) {
                ins.add(tensor(name + ".b", runtime.getParam("b").reshape(-1)));
            }
            String conv = preActivationName(name, c.getActivationFn());
            node("Conv", ins, conv, convAttrs(name, c, inType, 1));
            activation(name, c.getActivationFn(), conv, name);
        } else if (layer instanceof BatchNormalization bn) {
            if (bn.getCnn2DFormat() != CNN2DFormat.NCHW) {
                throw unsupported(name, "BatchNormalization in " + bn.getCnn2DFormat());
            }
            long ch = inType(name).getChannels();
            INDArray gamma = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(ch, bn.getGamma()) : runtime.getParam("gamma");
            INDArray beta = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(ch, bn.getBeta()) : runtime.getParam("beta");
            INDArray mean = runtime.getParam("mean");
            INDArray var = bn.isUseLogStd()
                    ? Transforms.pow(Transforms.pow(Nd4j.valueArrayOf(runtime.getParam("log10stdev").shape(), 10.0,
                    runtime.getParam("log10stdev").dataType()), runtime.getParam("log10stdev"), false), 2, false)
                    : runtime.getParam("var");
            // DL4J's BatchNormalization ignores its configured activation, so the ONNX graph does too
            node("BatchNormalization", List.of(in, tensor(name + ".gamma", gamma.reshape(-1)),
                    tensor(name + ".beta", beta.reshape(-1)), tensor(name + ".mean", mean.reshape(-1)),
                    tensor(name + ".var", var.reshape(-1))), name, floatAttr("epsilon", (float) bn.getEps()));
        } else if (layer instanceof ActivationLayer a) {
            activation(name, a.getActivationFn(), in, name);
        } else if (layer instanceof Upsampling2D up) {
            if (up.getFormat() != CNN2DFormat.NCHW) {
                throw unsupported(name, "Upsampling2D in " + up.getFormat());
            }
            int[] s = up.getSize();
            int sh = s[0];
            int sw = s.length > 1 ? s[1] : s[0];
            String scales = tensor(name + ".scales", Nd4j.createFromArray(1f, 1f, (float) sh, (float) sw));
            node("Resize", List.of(in, "", scales), name,
                    stringAttr("mode", "nearest"),
                    stringAttr("coordinate_transformation_mode", "asymmetric"),
                    stringAttr("nearest_mode", "floor"));
        } else if (layer instanceof CnnLossLayer loss) {
            if (loss.getFormat() != CNN2DFormat.NCHW) {
                throw unsupported(name, "CnnLossLayer in " + loss.getFormat());
            }
            activation(name, loss.getActivationFn(), in, name);
        } else {
            throw unsupported(name, layer.getClass().getSimpleName());
        }
    }

    private static void checkConvFormat(String name, CNN2DFormat format) {
        if (format != CNN2DFormat.NCHW) {
            throw unsupported(name, "convolution in " + format);
        }
    }

    private InputType.InputTypeConvolutional inType(String name) {
        List<String> inputs = conf.getVertexInputs().get(name);
        InputType t = types.get(inputs.get(0));
        if (t == null && conf.getNetworkInputs().contains(inputs.get(0))) {
            t = inputType;
        }
        if (!(t instanceof InputType.InputTypeConvolutional c)) {
            throw unsupported(name, "non-convolutional input " + t);
        }
        return c;
    }

    private Onnx.AttributeProto[] convAttrs(String name, ConvolutionLayer c, InputType.InputTypeConvolutional in,
                                            long group) {
        int[] k = c.getKernelSize();
        int[] s = c.getStride();
        int[] d = c.getDilation() == null ? new int[]{1, 1} : c.getDilation();
        long[] pads;
        if (c.getConvolutionMode() == ConvolutionMode.Same) {
            pads = new long[4];
            long[] size = {in.getHeight(), in.getWidth()};
            for (int i = 0; i < 2; i++) {
                long out = (size[i] + s[i] - 1) / s[i];
                long effK = (long) (k[i] - 1) * d[i] + 1;
                long total = Math.max(0, (out - 1) * s[i] + effK - size[i]);
                pads[i] = total / 2;           // begin
                pads[i + 2] = total - total / 2; // end (extra pixel at the end, like SAME_UPPER)
            }
        } else if (c.getConvolutionMode() == ConvolutionMode.Truncate || c.getConvolutionMode() == ConvolutionMode.Strict) {
            int[] p = c.getPadding();
            pads = new long[]{p[0], p[1], p[0], p[1]};
        } else {
            throw unsupported(name, "ConvolutionMode " + c.getConvolutionMode());
        }
        return new Onnx.AttributeProto[]{
                intsAttr("kernel_shape", k[0], k[1]),
                intsAttr("strides", s[0], s[1]),
                intsAttr("dilations", d[0], d[1]),
                intsAttr("pads", pads),
                intAttr("group", group)};
    }

    private String preActivationName(String name, IActivation act) {
        return act == null || act instanceof ActivationIdentity ? name : name + "/preact";
    }

    private void activation(String name, IActivation act, String in, String out) {
        if (act == null || act instanceof ActivationIdentity) {
            if (!in.equals(out)) {
                node("Identity", List.of(in), out);
            }
        } else if (act instanceof ActivationReLU6) {
            node("Clip", List.of(in, scalar(0f), scalar(6f)), out);
        } else if (act instanceof ActivationReLU r) {
            if (r.getMax() != null || (r.getThreshold() != null && r.getThreshold() != 0.0)
                    || (r.getNegativeSlope() != null && r.getNegativeSlope() != 0.0)) {
                throw unsupported(name, "parameterised ReLU " + r);
            }
            node("Relu", List.of(in), out);
        } else if (act instanceof ActivationSigmoid) {
            node("Sigmoid", List.of(in), out);
        } else if (act instanceof ActivationTanH) {
            node("Tanh", List.of(in), out);
        } else if (act instanceof ActivationLReLU l) {
            node("LeakyRelu", List.of(in), out, floatAttr("alpha", (float) l.getAlpha()));
        } else {
            throw unsupported(name, "activation " + act);
        }
    }

    private String fresh(String base) {
        return base + "_" + (counter++);
    }

    private void node(String op, List<String> inputs, String output, Onnx.AttributeProto... attrs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(output + "/" + op)
                .addAllInput(inputs).addOutput(output);
        for (Onnx.AttributeProto a : attrs) {
            n.addAttribute(a);
        }
        g.addNode(n);
    }

    private String scalar(float value) {
        return constants.computeIfAbsent("scalar:" + Float.floatToIntBits(value), k -> {
            String name = "const_" + value;
            g.addInitializer(Onnx.TensorProto.newBuilder().setName(name)
                    .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                    .setRawData(ByteString.copyFrom(floatBytes(new float[]{value}))));
            return name;
        });
    }

    private String tensor(String name, INDArray array) {
        INDArray c = array.castTo(DataType.FLOAT).dup('c');
        float[] data = c.reshape(c.length()).toFloatVector();
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name)
                .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(floatBytes(data)));
        for (long d : c.shape()) {
            t.addDims(d);
        }
        g.addInitializer(t);
        return name;
    }

    private static byte[] floatBytes(float[] data) {
        ByteBuffer buf = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(data);
        return buf.array();
    }

    private static Onnx.AttributeProto intAttr(String name, long v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(v)
                .build();
    }

    private static Onnx.AttributeProto intsAttr(String name, long... v) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long x : v) {
            a.addInts(x);
        }
        return a.build();
    }

    private static Onnx.AttributeProto floatAttr(String name, float v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(v)
                .build();
    }

    private static Onnx.AttributeProto stringAttr(String name, String v) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(v)).build();
    }
}
