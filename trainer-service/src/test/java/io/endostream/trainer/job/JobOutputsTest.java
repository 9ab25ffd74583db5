package io.endostream.trainer.job;

import io.endostream.trainer.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the dashboard reads of a job's run folder: curves per phase, the latest sample grid, the export. */
class JobOutputsTest {

    @TempDir
    Path run;

    @Test
    void aPipelineShowsTheCurvesOfEachTrainingRecordedSoFar() throws Exception {
        assertEquals(List.of(), JobOutputs.history(JobType.PIPELINE, run), "nothing recorded yet");
        RunFolder.writeJson(run.resolve("pretrain/metrics.json"), Map.of("kind", "pretrain", "stopped_by",
                "iteration budget of 4", "history", List.of(Map.of("epoch", 1.0, "train_loss", 0.5),
                        Map.of("epoch", 2.0, "train_loss", 0.4))));
        List<Map<String, Object>> history = JobOutputs.history(JobType.PIPELINE, run);
        assertEquals(1, history.size());
        assertEquals("pretrain", history.get(0).get("phase"));
        assertEquals(2, ((List<?>) history.get(0).get("rows")).size());

        RunFolder.writeJson(run.resolve("finetune/metrics.json"), Map.of("kind", "finetune", "stopped_by", "running",
                "history", List.of(Map.of("epoch", 1.0, "iteration", 2.0, "train_loss", 0.9, "val_dice", 0.3))));
        RunFolder.writeJson(run.resolve("evaluate/metrics.json"), Map.of("mean", Map.of("dice", 0.3)));
        history = JobOutputs.history(JobType.PIPELINE, run);
        assertEquals(List.of("pretrain", "finetune"), history.stream().map(h -> h.get("phase")).toList(),
                "an evaluation has no curve");
        @SuppressWarnings("unchecked")
        Map<String, Object> row = ((List<Map<String, Object>>) history.get(1).get("rows")).get(0);
        assertEquals(0.3, ((Number) row.get("val_dice")).doubleValue());
        assertEquals("running", history.get(1).get("stoppedBy"));
    }

    @Test
    void aFinetuneJobsHistoryIsItsOwnRunFolder() {
        RunFolder.writeJson(run.resolve("metrics.json"), Map.of("kind", "finetune", "history",
                List.of(Map.of("epoch", 1.0, "val_dice", 0.1))));
        assertEquals("finetune", JobOutputs.history(JobType.FINETUNE, run).get(0).get("phase"));
        assertEquals(List.of(), JobOutputs.history(JobType.EXPORT, run));
    }

    @Test
    void theLatestSampleGridIsTheEvaluationsElseTheNewestEpochOfTheLatestTraining() throws Exception {
        assertEquals(Optional.empty(), JobOutputs.samples(JobType.PIPELINE, run, null));
        png(run.resolve("pretrain/pictures/epoch-001.png"));
        png(run.resolve("pretrain/pictures/epoch-002.png"));
        png(run.resolve("pretrain/pictures/curves.png"));
        assertEquals(run.resolve("pretrain/pictures/epoch-002.png"), JobOutputs.samples(JobType.PIPELINE, run, null).orElseThrow());
        png(run.resolve("finetune/pictures/epoch-001.png"));
        assertEquals(run.resolve("finetune/pictures/epoch-001.png"), JobOutputs.samples(JobType.PIPELINE, run, null).orElseThrow());
        png(run.resolve("evaluate/pictures/samples.png"));
        assertEquals(run.resolve("evaluate/pictures/samples.png"), JobOutputs.samples(JobType.PIPELINE, run, null).orElseThrow());
        assertEquals(run.resolve("pretrain/pictures/epoch-002.png"),
                JobOutputs.samples(JobType.PIPELINE, run, "pretrain").orElseThrow(), "a phase picks its run");
        assertEquals(Optional.empty(), JobOutputs.samples(JobType.PIPELINE, run, "dance"));
    }

    @Test
    void onlyExportAndPipelineJobsHaveArtifacts() throws Exception {
        assertEquals(Optional.empty(), JobOutputs.exportDir(JobType.FINETUNE, run));
        assertEquals(Optional.of(run.resolve("export")), JobOutputs.exportDir(JobType.PIPELINE, run));
        assertEquals(Optional.empty(), JobOutputs.artifact(JobType.PIPELINE, run, "model.onnx"), "not written yet");
        Files.createDirectories(run.resolve("export"));
        Files.writeString(run.resolve("export/model.onnx"), "onnx");
        assertTrue(JobOutputs.artifact(JobType.PIPELINE, run, "model.onnx").isPresent());
        assertEquals(Optional.of(run.resolve("model.onnx")).map(p -> p.getFileName()),
                JobOutputs.artifact(JobType.PIPELINE, run, "model.onnx").map(Path::getFileName));
    }

    private static void png(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[]{(byte) 0x89, 'P', 'N', 'G'});
    }
}
