package io.endostream.trainer.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.trainer.model.MobileNetV2UNet;
import io.endostream.trainer.model.MobileNetV2UNet.Head;
import io.endostream.trainer.model.SyntheticDisks;
import io.endostream.trainer.model.UNetConfig;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Exports real DL4J networks and runs the written file in the real ONNX Runtime. */
class OnnxExporterTest {

    static final int SIZE = 64;
    static final UNetConfig CFG = UNetConfig.defaults().withInputSize(SIZE).withDecoderWidth(8);

    @Test
    void fullUNetExportsWithParityManifestAndDynamicBatch(@TempDir Path dir) throws Exception {
        ComputationGraph net = MobileNetV2UNet.build(CFG, Head.SEGMENTATION);
        MultiDataSet data = SyntheticDisks.batch(4, SIZE, 5);
        net.fit(data); // non-trivial BN statistics

        ExportResult result = OnnxExporter.export(net, manifest(), dir, 2, 7L);

        assertTrue(result.maxAbsDiff() <= OnnxExporter.PARITY_TOLERANCE, "parity " + result.maxAbsDiff());
        System.out.println("full U-Net export: " + OnnxExporter.describe(result));
        assertEquals(dir.resolve("model.onnx"), result.onnx());
        assertEquals(ModelManifest.sha256(result.onnx()), result.sha256());
        ModelManifest written = ModelManifest.read(result.manifest()).validate();
        assertEquals(result.sha256(), written.onnxSha256());
        assertEquals("model.onnx", written.onnxFile());
        assertEquals("input", written.input().name());
        assertEquals("NCHW", written.input().layout());
        assertEquals(SIZE, written.input().width());
        assertTrue(written.input().dynamicBatch());
        assertEquals("mask", written.output().name());
        assertEquals("none", written.output().activation());
        assertEquals(0.5, written.output().threshold());
        assertEquals("polyp-unet", written.name());

        // independent check: the written file, a batch size the exporter never used, in a fresh session
        assertOrtMatchesDl4j(net, result.onnx(), 3, "mask");
    }

    @Test
    void transferredGraphWithFrozenEncoderExports(@TempDir Path dir) throws Exception {
        ComputationGraph pretrained = MobileNetV2UNet.build(CFG, Head.RECONSTRUCTION);
        INDArray x = SyntheticDisks.batch(4, SIZE, 9).getFeatures(0);
        pretrained.fit(new MultiDataSet(x, x));
        // the reconstruction head exports too (3 channels)
        byte[] recon = OnnxExporter.toOnnx(pretrained, SIZE, SIZE, 3);
        assertTrue(OnnxExporter.parity(pretrained, recon, 2, 3L, SIZE, SIZE, 3) <= OnnxExporter.PARITY_TOLERANCE);

        ComputationGraph seg = MobileNetV2UNet.toSegmentation(pretrained, CFG, true);
        seg.fit(SyntheticDisks.batch(4, SIZE, 10));
        assertTrue(seg.getConfiguration().getVertices().values().stream()
                .anyMatch(v -> v.toString().contains("Frozen")), "graph really has frozen vertices");

        ExportResult result = OnnxExporter.export(seg, manifest(), dir, 2, 8L);
        assertTrue(result.maxAbsDiff() <= OnnxExporter.PARITY_TOLERANCE);
        System.out.println("frozen transferred U-Net export: " + OnnxExporter.describe(result));
        assertOrtMatchesDl4j(seg, result.onnx(), 2, "mask");
    }

    @Test
    void onnxCheckerAcceptsTheExportOfAFrozenTransferredNet(@TempDir Path dir) throws Exception {
        String python = pythonWithOnnx();
        assumeTrue(python != null, "python3-onnx not installed (apt-get install python3-onnx): checker skipped");
        ComputationGraph seg = MobileNetV2UNet.toSegmentation(MobileNetV2UNet.build(CFG, Head.RECONSTRUCTION), CFG,
                true);
        ExportResult result = OnnxExporter.export(seg, manifest(), dir, 1, 8L);
        Process p = new ProcessBuilder(python, "-c",
                "import onnx,sys; m=onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); "
                        + "print('opset', m.opset_import[0].version, 'ir', m.ir_version)", result.onnx().toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "checker timed out");
        assertEquals(0, p.exitValue(), "onnx.checker: " + out);
        assertTrue(out.contains("opset 13"), out);
    }

    @Test
    void parityFailureNamesTheFigureAndWritesNothing(@TempDir Path dir) {
        ComputationGraph a = MobileNetV2UNet.build(CFG.withSeed(1), Head.SEGMENTATION);
        ComputationGraph b = MobileNetV2UNet.build(CFG.withSeed(2), Head.SEGMENTATION);
        byte[] onnxOfB = OnnxExporter.toOnnx(b, SIZE, SIZE, 3);
        ExportParityException e = assertThrows(ExportParityException.class,
                () -> OnnxExporter.parity(a, onnxOfB, 1, 1L, SIZE, SIZE, 3));
        assertTrue(e.maxAbsDiff() > OnnxExporter.PARITY_TOLERANCE);
        assertTrue(e.getMessage().contains("max abs diff"), e.getMessage());
        assertTrue(e.getMessage().contains(String.format(java.util.Locale.ROOT, "%.3g", e.maxAbsDiff())),
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("model.onnx")));
    }

    @Test
    void unsupportedLayerIsRejectedByName() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("pool", new SubsamplingLayer.Builder(2, 2).build(), "input")
                .addLayer("mask", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.SIGMOID).build(), "pool")
                .setOutputs("mask").build());
        g.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExporter.toOnnx(g, 8, 8, 3));
        assertTrue(e.getMessage().contains("'pool'") && e.getMessage().contains("SubsamplingLayer"), e.getMessage());
    }

    static ModelManifest manifest() {
        return new ModelManifest("polyp-unet", "test-1", null, null,
                new ModelManifest.Input("input", "NCHW", SIZE, SIZE, "RGB", new double[]{0, 0, 0},
                        new double[]{1, 1, 1}, 1.0 / 255, true, 8),
                new ModelManifest.Output("mask", "none", 0.5),
                new ModelManifest.Training("synthetic-disks", 4, 0, "none", Map.of()), Map.of("dice", 0.5), null);
    }

    static void assertOrtMatchesDl4j(ComputationGraph net, Path onnx, int batch, String output) throws Exception {
        Nd4j.getRandom().setSeed(99);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, SIZE, SIZE);
        INDArray expected = net.output(false, x.dup())[0];
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions();
             OrtSession session = env.createSession(onnx.toString(), so);
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.dup('c').reshape(x.length())
                     .toFloatVector()), x.shape());
             OrtSession.Result r = session.run(Map.of("input", in))) {
            assertEquals(List.of(output), List.copyOf(session.getOutputNames()));
            OnnxTensor out = (OnnxTensor) r.get(0);
            assertArrayEquals(expected.shape(), out.getInfo().getShape());
            FloatBuffer fb = out.getFloatBuffer();
            float[] actual = new float[fb.remaining()];
            fb.get(actual);
            float[] want = expected.dup('c').reshape(expected.length()).toFloatVector();
            double max = 0;
            for (int i = 0; i < want.length; i++) {
                max = Math.max(max, Math.abs(actual[i] - want[i]));
            }
            assertTrue(max <= 1e-4, "ONNX Runtime vs DL4J max abs diff " + max);
        }
    }

    /** A python3 that can import onnx (Debian's python3-onnx lives in /usr/bin/python3), or null. */
    static String pythonWithOnnx() {
        for (String python : List.of("/usr/bin/python3", "python3")) {
            try {
                Process probe = new ProcessBuilder(python, "-c", "import onnx").redirectErrorStream(true).start();
                probe.getInputStream().readAllBytes();
                if (probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0) {
                    return python;
                }
            } catch (java.io.IOException | InterruptedException e) {
                // try the next candidate
            }
        }
        return null;
    }
}
