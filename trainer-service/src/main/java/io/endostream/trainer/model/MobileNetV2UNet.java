package io.endostream.trainer.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.FrozenVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * U-Net whose encoder is MobileNetV2 (inverted residual blocks), built as a DL4J {@link ComputationGraph}.
 *
 * <p>Layout (NCHW, input "input" = RGB in [0,1]):
 * <ul>
 *   <li>encoder: stem conv 3x3/2, then the MobileNetV2 stages (t,c,n,s) = (1,16,1,1) (6,24,2,2) (6,32,3,2)
 *       (6,64,4,2) (6,96,3,1) (6,160,3,2) (6,320,1,1); every block is 1x1 expand, 3x3 depthwise, 1x1 project,
 *       each followed by BatchNormalization and (except the project) a separate ReLU6 ActivationLayer because
 *       DL4J's BatchNormalization ignores its own activation. Residual add where stride 1 and channels match.
 *       Encoder vertices are named {@code enc_*}.</li>
 *   <li>skips: the encoder features at strides 2, 4, 8 and 16 each pass a {@link ScaleVertex} ({@code skip2} ..
 *       {@code skip16}, factor 1) so {@link #withoutSkips} can zero them.</li>
 *   <li>decoder: nearest upsampling x2, concat with the skip, conv 3x3 + BN + ReLU6, four times, then a last
 *       upsampling to full resolution and conv 3x3 + BN + ReLU6 ({@code dec*}).</li>
 *   <li>head: conv 1x1 ({@code mask_conv} / {@code reconstruction_conv}) and a {@link CnnLossLayer} output
 *       ({@code mask}: 1 channel sigmoid, BCE + soft Dice; {@code reconstruction}: 3 channels sigmoid, MSE that
 *       honours a per-pixel label mask for in-painting).</li>
 * </ul>
 */
public final class MobileNetV2UNet {

    /** Which output head the graph ends in. */
    public enum Head {
        /** Output layer "mask": 1 channel, sigmoid, {@link BceDiceLoss}. */
        SEGMENTATION("mask", 1),
        /** Output layer "reconstruction": 3 channels, sigmoid, per-pixel MSE (label masks supported). */
        RECONSTRUCTION("reconstruction", 3);

        private final String outputName;
        private final int channels;

        Head(String outputName, int channels) {
            this.outputName = outputName;
            this.channels = channels;
        }

        /** Name of the output layer (and of the ONNX output). */
        public String outputName() {
            return outputName;
        }

        /** Name of the 1x1 convolution that feeds the output layer. */
        public String convName() {
            return outputName + "_conv";
        }

        public int channels() {
            return channels;
        }
    }

    public static final String INPUT = "input";
    /** Prefix of every encoder vertex. */
    public static final String ENCODER_PREFIX = "enc_";
    /** Last encoder vertex (stride 32 bottleneck): the feature-extractor boundary when freezing. */
    public static final String ENCODER_OUTPUT = "enc_out";
    /** Last decoder vertex: the heads attach here. */
    public static final String DECODER_OUTPUT = "dec1_relu";

    /** MobileNetV2 inverted-residual stages: expansion t, base channels c, repeats n, first stride s. */
    private static final int[][] STAGES = {
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

    static {
        Dl4jNative.configure();
    }

    private MobileNetV2UNet() {
    }

    /** Builds and initialises a fresh network. */
    public static ComputationGraph build(UNetConfig cfg, Head head) {
        ComputationGraph graph = new ComputationGraph(configuration(cfg, head));
        graph.init();
        return graph;
    }

    /** The graph configuration {@link #build} instantiates. */
    public static ComputationGraphConfiguration configuration(UNetConfig cfg, Head head) {
        return new Blueprint(cfg).emit(head).conf.build();
    }

    /**
     * Forward-pass floating point operations of one image (multiply-adds of every convolution x 2, counted from
     * the layer shapes). Training costs roughly 3x this (forward, gradient w.r.t. inputs, gradient w.r.t. weights).
     */
    public static long forwardFlops(UNetConfig cfg) {
        Blueprint bp = new Blueprint(cfg);
        bp.emit(Head.SEGMENTATION);
        return bp.flops;
    }

    /** Same weights and statistics, every skip connection multiplied by 0: shows how much the decoder relies on them. */
    public static ComputationGraph withoutSkips(ComputationGraph trained) {
        ComputationGraphConfiguration conf = trained.getConfiguration().clone();
        int found = 0;
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            if (v instanceof FrozenVertex fv) {
                v = fv.getUnderlying();
            }
            if (v instanceof ScaleVertex sv && e.getKey().startsWith("skip")) {
                sv.setScaleFactor(0.0);
                found++;
            }
        }
        if (found == 0) {
            throw new IllegalArgumentException("graph has no skip ScaleVertex (skip2..skip16): not a MobileNetV2UNet");
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(trained.params().dup(), false);
        return copy;
    }

    /**
     * Transfer learning: keeps encoder and decoder weights of {@code pretrained} (any head), replaces the head with a
     * freshly initialised "mask" segmentation head, and freezes the encoder (weights and BN statistics) if asked.
     */
    public static ComputationGraph toSegmentation(ComputationGraph pretrained, UNetConfig cfg, boolean freezeEncoder) {
        FineTuneConfiguration fineTune = new FineTuneConfiguration.Builder()
                .updater(new Adam(cfg.learningRate()))
                .seed(cfg.seed())
                .build();
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(pretrained).fineTuneConfiguration(fineTune);
        for (Head h : Head.values()) {
            if (pretrained.getVertex(h.outputName()) != null) {
                b.removeVertexAndConnections(h.outputName());
            }
            if (pretrained.getVertex(h.convName()) != null) {
                b.removeVertexAndConnections(h.convName());
            }
        }
        for (Layer l : headLayers(cfg, Head.SEGMENTATION)) {
            b.addLayer(l.getLayerName(), l, l.getLayerName().equals(Head.SEGMENTATION.convName())
                    ? DECODER_OUTPUT : Head.SEGMENTATION.convName());
        }
        b.setOutputs(Head.SEGMENTATION.outputName());
        if (freezeEncoder) {
            b.setFeatureExtractor(ENCODER_OUTPUT);
        }
        return b.build();
    }

    /**
     * Encoder-only transfer: a freshly initialised segmentation network ({@code cfg}'s seed) whose encoder layers take
     * the parameters and BN statistics of {@code pretrained}'s encoder; decoder and head stay fresh.
     */
    public static ComputationGraph encoderOnly(ComputationGraph pretrained, UNetConfig cfg) {
        return encoderOnly(pretrained, cfg, Head.SEGMENTATION);
    }

    /** {@link #encoderOnly(ComputationGraph, UNetConfig)} with the given head. */
    public static ComputationGraph encoderOnly(ComputationGraph pretrained, UNetConfig cfg, Head head) {
        ComputationGraph fresh = build(cfg, head);
        int copied = 0;
        for (String name : encoderLayerNames(fresh)) {
            org.deeplearning4j.nn.api.Layer from = pretrained.getLayer(name);
            if (from == null || from.numParams() != fresh.getLayer(name).numParams()) {
                throw new IllegalArgumentException("pretrained network has no matching encoder layer '" + name
                        + "': built with another width or input size");
            }
            if (from.numParams() > 0) {
                fresh.getLayer(name).setParams(from.params().dup());
                copied++;
            }
        }
        if (copied == 0) {
            throw new IllegalArgumentException("no encoder parameters copied: not a MobileNetV2UNet");
        }
        return fresh;
    }

    /**
     * A copy of {@code graph} with every frozen layer/vertex trainable again (same parameters and BN statistics;
     * the updater state starts fresh). Use after the "frozen encoder" epochs of fine-tuning.
     */
    public static ComputationGraph unfreeze(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            GraphVertex v = e.getValue();
            if (v instanceof FrozenVertex fv) {
                v = fv.getUnderlying();
                e.setValue(v);
            }
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FrozenLayer fl) {
                lv.getLayerConf().setLayer(fl.getLayer());
            }
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(graph.params().dup(), false);
        return copy;
    }

    /** Names of the encoder's layers (those that carry parameters or statistics), in topological order. */
    public static List<String> encoderLayerNames(ComputationGraph graph) {
        List<String> names = new ArrayList<>();
        for (int idx : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex v = graph.getVertices()[idx];
            if (v.hasLayer() && v.getVertexName().startsWith(ENCODER_PREFIX)) {
                names.add(v.getVertexName());
            }
        }
        return names;
    }

    /** Channel rounding of MobileNetV2 (Keras {@code _make_divisible}). */
    static int makeDivisible(double v, int divisor) {
        int newV = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        if (newV < 0.9 * v) {
            newV += divisor;
        }
        return newV;
    }

    private static List<Layer> headLayers(UNetConfig cfg, Head head) {
        ConvolutionLayer conv = new ConvolutionLayer.Builder(1, 1).nIn(cfg.decoderWidth()).nOut(head.channels())
                .activation(Activation.IDENTITY).hasBias(true).weightInit(WeightInit.XAVIER).build();
        conv.setLayerName(head.convName());
        CnnLossLayer out = head == Head.SEGMENTATION
                ? new CnnLossLayer.Builder().lossFunction(new BceDiceLoss()).activation(Activation.SIGMOID).build()
                : new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.SIGMOID).build();
        out.setLayerName(head.outputName());
        return List.of(conv, out);
    }

    /** Emits the graph while tracking channels, resolution and FLOPs. */
    private static final class Blueprint {
        final UNetConfig cfg;
        final ComputationGraphConfiguration.GraphBuilder conf;
        long flops;
        int size;

        Blueprint(UNetConfig cfg) {
            this.cfg = cfg;
            this.size = cfg.inputSize();
            this.conf = new NeuralNetConfiguration.Builder()
                    .seed(cfg.seed())
                    .dataType(DataType.FLOAT)
                    .updater(new Adam(cfg.learningRate()))
                    .weightInit(WeightInit.RELU)
                    .convolutionMode(ConvolutionMode.Same)
                    .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                    .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                    // keep im2col / pre-activations from the forward pass for backprop instead of recomputing them
                    .cacheMode(CacheMode.DEVICE)
                    .graphBuilder()
                    .addInputs(INPUT)
                    .setInputTypes(InputType.convolutional(cfg.inputSize(), cfg.inputSize(), 3));
        }

        Blueprint emit(Head head) {
            double alpha = cfg.widthMultiplier();
            int stemCh = makeDivisible(32 * alpha, 8);
            String x = convBnRelu("enc_stem", INPUT, 3, stemCh, 3, 2);
            int ch = stemCh;
            int stride = 2;
            Map<Integer, String> skipSources = new java.util.TreeMap<>();
            Map<Integer, Integer> skipChannels = new java.util.TreeMap<>();
            int block = 0;
            for (int[] st : STAGES) {
                int outCh = makeDivisible(st[1] * alpha, 8);
                for (int i = 0; i < st[2]; i++) {
                    int s = i == 0 ? st[3] : 1;
                    if (s == 2) {
                        // remember the last feature map at the current stride before going down
                        skipSources.put(stride, x);
                        skipChannels.put(stride, ch);
                    }
                    x = invertedResidual("enc_b" + block, x, ch, outCh, st[0], s);
                    ch = outCh;
                    stride *= s;
                    block++;
                }
            }
            // name the bottleneck so freezing has a stable boundary
            conf.addVertex(ENCODER_OUTPUT, new ScaleVertex(1.0), x);
            x = ENCODER_OUTPUT;

            int d = cfg.decoderWidth();
            int[] decStrides = {16, 8, 4, 2};
            int[] decWidth = {4 * d, 2 * d, d, d};
            for (int k = 0; k < decStrides.length; k++) {
                int s = decStrides[k];
                String up = "dec" + s + "_up";
                conf.addLayer(up, new Upsampling2D.Builder(2).build(), x);
                size *= 2;
                String skip = "skip" + s;
                conf.addVertex(skip, new ScaleVertex(1.0), skipSources.get(s));
                String cat = "dec" + s + "_cat";
                conf.addVertex(cat, new MergeVertex(), up, skip);
                x = convBnRelu("dec" + s, cat, ch + skipChannels.get(s), decWidth[k], 3, 1);
                ch = decWidth[k];
            }
            conf.addLayer("dec1_up", new Upsampling2D.Builder(2).build(), x);
            size *= 2;
            x = convBnRelu("dec1", "dec1_up", ch, d, 3, 1);
            ch = d;
            if (!x.equals(DECODER_OUTPUT)) {
                throw new IllegalStateException("decoder output is " + x);
            }
            List<Layer> headLayers = headLayers(cfg, head);
            conf.addLayer(head.convName(), headLayers.get(0), x);
            flops += 2L * size * size * ch * head.channels();
            conf.addLayer(head.outputName(), headLayers.get(1), head.convName());
            conf.setOutputs(head.outputName());
            return this;
        }

        private String convBnRelu(String name, String in, int inCh, int outCh, int k, int stride) {
            conf.addLayer(name + "_conv", new ConvolutionLayer.Builder(k, k).stride(stride, stride).nIn(inCh).nOut(outCh)
                    .activation(Activation.IDENTITY).hasBias(false).build(), in);
            size /= stride;
            flops += 2L * size * size * k * k * inCh * outCh;
            conf.addLayer(name + "_bn", new BatchNormalization.Builder().nOut(outCh).build(), name + "_conv");
            conf.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU6).build(), name + "_bn");
            return name + "_relu";
        }

        private String invertedResidual(String name, String in, int inCh, int outCh, int expansion, int stride) {
            String x = in;
            int hidden = inCh * expansion;
            if (expansion != 1) {
                conf.addLayer(name + "_expand", new ConvolutionLayer.Builder(1, 1).nIn(inCh).nOut(hidden)
                        .activation(Activation.IDENTITY).hasBias(false).build(), x);
                flops += 2L * size * size * inCh * hidden;
                conf.addLayer(name + "_expand_bn", new BatchNormalization.Builder().nOut(hidden).build(), name + "_expand");
                conf.addLayer(name + "_expand_relu", new ActivationLayer.Builder().activation(Activation.RELU6).build(),
                        name + "_expand_bn");
                x = name + "_expand_relu";
            }
            conf.addLayer(name + "_dw", new DepthwiseConvolution2D.Builder(3, 3).stride(stride, stride).nIn(hidden)
                    .depthMultiplier(1).activation(Activation.IDENTITY).hasBias(false).build(), x);
            size /= stride;
            flops += 2L * size * size * 9 * hidden;
            conf.addLayer(name + "_dw_bn", new BatchNormalization.Builder().nOut(hidden).build(), name + "_dw");
            conf.addLayer(name + "_dw_relu", new ActivationLayer.Builder().activation(Activation.RELU6).build(),
                    name + "_dw_bn");
            conf.addLayer(name + "_project", new ConvolutionLayer.Builder(1, 1).nIn(hidden).nOut(outCh)
                    .activation(Activation.IDENTITY).hasBias(false).build(), name + "_dw_relu");
            flops += 2L * size * size * hidden * outCh;
            conf.addLayer(name + "_project_bn", new BatchNormalization.Builder().nOut(outCh).build(), name + "_project");
            if (stride == 1 && inCh == outCh) {
                conf.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), name + "_project_bn", in);
                return name + "_add";
            }
            return name + "_project_bn";
        }
    }
}
