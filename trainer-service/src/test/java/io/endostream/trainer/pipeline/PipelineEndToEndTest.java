package io.endostream.trainer.pipeline;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.local.Native;
import io.endostream.local.simulator.SimulatedDatasets;
import io.endostream.trainer.cli.TrainerCli;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.Tensors;
import io.endostream.trainer.model.ModelCheckpoints;
import io.endostream.trainer.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole trainer on a tiny simulator dataset through its own CLI: pretrain (inpaint) -> finetune from it with the
 * encoder frozen for the first epoch -> evaluate JSON -> export ONNX (parity) -> publish in the registry layout.
 */
class PipelineEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void pretrainFinetuneEvaluateExportPublish() throws Exception {
        Native.loadOpenCv();
        Path labelled = dir.resolve("sim-labelled");
        Path unlabelled = dir.resolve("sim-unlabelled");
        SimulatedDatasets.writeLabelled(labelled, 10, 5, 64, 64);
        SimulatedDatasets.writeUnlabelled(unlabelled, 9, 6, 64, 64);

        Path pretrainRun = dir.resolve("pretrain");
        assertEquals(0, cli("pretrain", "--unlabelled", unlabelled.toString(), "--run-dir", pretrainRun.toString(),
                "--objective", "inpaint", "--epochs", "1", "--batch", "8", "--input-size", "32",
                "--exclude-dataset", labelled.toString(), "--val-fraction", "0.2"));
        JsonNode pm = RunFolder.JSON.readTree(pretrainRun.resolve("metrics.json").toFile());
        assertTrue(pm.path("skip_diagnostic").has("objective_mse_without_skips"), pm.toString());
        assertEquals(2, pm.path("data").path("leakage_guard").path("evaluation_images").asInt());
        assertTrue(Files.isRegularFile(pretrainRun.resolve("pictures/epoch-001.png")));

        Path finetuneRun = dir.resolve("finetune");
        assertEquals(0, cli("finetune", "--dataset", labelled.toString(), "--run-dir", finetuneRun.toString(),
                "--pretrained", pretrainRun.resolve("checkpoints/last.zip").toString(), "--freeze-encoder-epochs", "1",
                "--epochs", "2", "--batch", "8", "--val-fraction", "0.2"));
        JsonNode fm = RunFolder.JSON.readTree(finetuneRun.resolve("metrics.json").toFile());
        assertEquals(2, fm.path("epochs_done").asInt());
        assertEquals(1.0, fm.path("history").get(0).path("encoder_frozen").asDouble(), "frozen in epoch 1");
        assertEquals(0.0, fm.path("history").get(1).path("encoder_frozen").asDouble(), "unfrozen in epoch 2");
        for (String f : List.of("config.json", "checkpoints/best.zip", "checkpoints/last.zip", "pictures/curves.png",
                "pictures/epoch-002.png")) {
            assertTrue(Files.isRegularFile(finetuneRun.resolve(f)), f);
        }

        Path evalRun = dir.resolve("evaluate");
        assertEquals(0, cli("evaluate", "--checkpoint", finetuneRun.resolve("checkpoints/best.zip").toString(),
                "--dataset", labelled.toString(), "--run-dir", evalRun.toString(), "--val-fraction", "0.2",
                "--split", "validation"));
        JsonNode ev = RunFolder.JSON.readTree(evalRun.resolve("metrics.json").toFile());
        assertEquals(2, ev.path("images").asInt());
        assertEquals(2, ev.path("per_image").size());
        for (String k : List.of("dice", "iou", "precision", "recall")) {
            double v = ev.path("mean").path(k).asDouble(-1);
            assertTrue(v >= 0 && v <= 1, k + " = " + v);
            assertTrue(ev.path("per_image").get(0).has(k));
        }

        Path export = dir.resolve("export");
        assertEquals(0, cli("export", "--checkpoint", finetuneRun.resolve("checkpoints/best.zip").toString(),
                "--out", export.toString(), "--name", "polyp-test", "--model-version", "1", "--evaluation",
                evalRun.resolve("metrics.json").toString()));
        ModelManifest manifest = ModelManifest.read(export.resolve("manifest.json")).validate();
        assertEquals(ModelManifest.sha256(export.resolve("model.onnx")), manifest.onnxSha256());
        assertEquals(32, manifest.input().width());
        assertEquals("mask", manifest.output().name());
        assertEquals("inpaint", manifest.training().pretraining());
        assertEquals(ev.path("mean").path("dice").asDouble(), manifest.metrics().get("dice"), 1e-12);

        // the exported file itself agrees with the DL4J checkpoint on a real simulator frame
        Sample frame = KvasirSegDataset.load(KvasirSegDataset.open(labelled).pairs().get(0), 32);
        INDArray x = Tensors.images(List.of(frame));
        float[] expected = ModelCheckpoints.load(finetuneRun.resolve("checkpoints/best.zip")).graph()
                .outputSingle(false, x).dup('c').data().asFloat();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(export.resolve("model.onnx").toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.dup('c').data().asFloat()), x.shape());
             OrtSession.Result result = session.run(Map.of("input", input))) {
            FloatBuffer out = ((OnnxTensor) result.get("mask").orElseThrow()).getFloatBuffer();
            float max = 0;
            for (float e : expected) {
                max = Math.max(max, Math.abs(e - out.get()));
            }
            assertTrue(max <= 1e-4, "ONNX Runtime vs DL4J max abs diff " + max);
        }

        Path registry = dir.resolve("registry");
        assertEquals(0, cli("publish", "--export", export.toString(), "--registry", registry.toString()));
        assertTrue(Files.isRegularFile(registry.resolve("polyp-test/1/model.onnx")));
        assertEquals(manifest.onnxSha256(), ModelManifest.read(registry.resolve("polyp-test/1/manifest.json")).onnxSha256());
        assertEquals(0, cli("publish", "--export", export.toString(), "--registry", registry.toString()), "same file again: no-op");
    }

    private static int cli(String... args) {
        return TrainerCli.commandLine().execute(args);
    }
}
