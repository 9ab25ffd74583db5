package io.endostream.trainer.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.trainer.cli.TrainerCli;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.run.RunFolder;
import io.endostream.trainer.testing.SyntheticPolyps;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules that make arms comparable, through the CLI on a tiny dataset with real DL4J training: label subsets,
 * equal iteration budgets, the split carried by checkpoints and checked later, the run-folder overwrite guard, 0/1
 * masks and the refusal of mostly empty masks.
 */
class FairComparisonTest {

    @TempDir
    static Path dir;
    static Path data;
    static Path run;

    /** One short fine-tuning run (20 images at 32x32: 12 train / 3 validation / 5 test) shared by the checks. */
    @BeforeAll
    static void finetuneOnce() throws Exception {
        data = dir.resolve("data");
        SyntheticPolyps.writeLabelled(data, 20, 4, 32, 32, "png");
        List<String> test = new ArrayList<>();
        for (int i = 15; i < 20; i++) {
            test.add(String.format("img_%04d", i));
        }
        Files.write(dir.resolve("test.txt"), test);
        run = dir.resolve("ft-quarter");
        assertEquals(0, cli(null, finetune(run, "0.25")));
    }

    private static String[] finetune(Path runDir, String fraction, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--dataset", data.toString(), "--test-list",
                dir.resolve("test.txt").toString(), "--val-fraction", "0.2", "--run-dir", runDir.toString(),
                "--input-size", "32", "--batch", "2", "--label-fraction", fraction, "--max-iterations", "5",
                "--eval-every", "2", "--lr", "0.01", "--schedule", "cosine", "--no-augment"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static int cli(StringWriter err, String... args) {
        CommandLine cl = TrainerCli.commandLine();
        if (err != null) {
            cl.setErr(new PrintWriter(err));
        }
        return cl.execute(args);
    }

    static JsonNode metrics(Path runDir) throws Exception {
        return RunFolder.JSON.readTree(runDir.resolve("metrics.json").toFile());
    }

    @Test
    void aLabelFractionTrainsOnASubsetWithValidationAndTestUnchanged() throws Exception {
        JsonNode d = metrics(run).path("data");
        assertEquals(12, d.path("split_train_images").asInt());
        assertEquals(3, d.path("train_images").asInt(), "25% of 12");
        assertEquals(3, d.path("validation_images").asInt());
        assertEquals(5, d.path("test_images").asInt());
        assertEquals(64, d.path("split").path("ids_sha256").asText().length());
    }

    @Test
    void equalIterationBudgetsGiveEqualUpdatesAndSchedulesWhateverTheLabelCount() throws Exception {
        Path all = dir.resolve("ft-all");
        assertEquals(0, cli(null, finetune(all, "1")));
        JsonNode q = metrics(run);
        JsonNode a = metrics(all);
        assertEquals(12, a.path("data").path("train_images").asInt());
        assertEquals(5, q.path("iterations").asInt());
        assertEquals(5, a.path("iterations").asInt());
        // 3 images = 2 batches per epoch, 12 images = 6: epochs differ, but validation points and rates do not
        assertEquals(3, q.path("history").size(), "validated at iterations 2, 4 and 5");
        assertEquals(q.path("history").size(), a.path("history").size());
        for (int i = 0; i < q.path("history").size(); i++) {
            JsonNode hq = q.path("history").get(i);
            JsonNode ha = a.path("history").get(i);
            assertEquals(hq.path("iteration").asDouble(), ha.path("iteration").asDouble());
            assertEquals(hq.path("learning_rate").asDouble(), ha.path("learning_rate").asDouble(), 1e-12);
        }
        assertTrue(q.path("history").get(0).path("learning_rate").asDouble()
                > q.path("history").get(2).path("learning_rate").asDouble(), "cosine decays over iterations");
        assertEquals(a.path("data").path("split").path("ids_sha256").asText(),
                q.path("data").path("split").path("ids_sha256").asText(), "same split for every fraction");
    }

    @Test
    void evaluateChecksTheSplitTheCheckpointWasTrainedOn() {
        String best = run.resolve("checkpoints/best.zip").toString();
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err, "evaluate", "--checkpoint", best, "--dataset", data.toString(), "--test-list",
                dir.resolve("test.txt").toString(), "--val-fraction", "0.2", "--split-seed", "9",
                "--run-dir", dir.resolve("ev-other-seed").toString()));
        assertTrue(err.toString().contains("split mismatch"), err.toString());

        StringWriter err2 = new StringWriter();
        assertEquals(2, cli(err2, "evaluate", "--checkpoint", best, "--dataset", data.toString(), "--val-fraction", "0.2",
                "--run-dir", dir.resolve("ev-no-list").toString()));
        assertTrue(err2.toString().contains("--split test needs --test-list"), err2.toString());

        assertEquals(0, cli(null, "evaluate", "--checkpoint", best, "--dataset", data.toString(), "--test-list",
                dir.resolve("test.txt").toString(), "--val-fraction", "0.2", "--run-dir", dir.resolve("ev-ok").toString()));
    }

    @Test
    void finetuningFromAPretrainingThatGuardedAnotherSplitIsAnError() throws Exception {
        Path frames = dir.resolve("frames");
        SyntheticPolyps.writeUnlabelled(frames, 6, 8, 32, 32);
        Path pre = dir.resolve("pre");
        assertEquals(0, cli(null, "pretrain", "--unlabelled", frames.toString(), "--exclude-dataset", data.toString(),
                "--test-list", dir.resolve("test.txt").toString(), "--val-fraction", "0.2", "--split-seed", "5",
                "--run-dir", pre.toString(), "--input-size", "32", "--batch", "2", "--max-iterations", "1",
                "--diagnostic-images", "2", "--no-augment"));
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err, finetune(dir.resolve("ft-from-pre"), "1", "--pretrained",
                pre.resolve("checkpoints/last.zip").toString())));
        assertTrue(err.toString().contains("split mismatch"), err.toString());

        // resuming the pretraining with another split is refused too: its frames were filtered against the first one
        StringWriter err2 = new StringWriter();
        assertEquals(2, cli(err2, "pretrain", "--unlabelled", frames.toString(), "--exclude-dataset", data.toString(),
                "--test-list", dir.resolve("test.txt").toString(), "--val-fraction", "0.2", "--split-seed", "1",
                "--run-dir", pre.toString(), "--input-size", "32", "--batch", "2", "--max-iterations", "2",
                "--diagnostic-images", "2", "--no-augment", "--resume"));
        assertTrue(err2.toString().contains("split mismatch"), err2.toString());
    }

    @Test
    void aNonEmptyRunFolderNeedsResumeOrOverwrite() throws Exception {
        Path guarded = dir.resolve("ft-guard");
        Files.createDirectories(guarded);
        Files.writeString(guarded.resolve("notes.txt"), "someone's earlier run");
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err, finetune(guarded, "0.25")));
        assertTrue(err.toString().contains("not empty") && err.toString().contains("--overwrite"), err.toString());
        assertTrue(Files.isRegularFile(guarded.resolve("notes.txt")), "nothing deleted");

        assertEquals(0, cli(null, finetune(guarded, "0.25", "--overwrite")));
        assertTrue(Files.notExists(guarded.resolve("notes.txt")), "--overwrite starts afresh");
        assertEquals(5, metrics(guarded).path("iterations").asInt());

        // --resume on a finished run trains nothing more
        assertEquals(0, cli(null, finetune(guarded, "0.25", "--resume")));
        assertEquals(5, metrics(guarded).path("iterations").asInt());
    }

    @Test
    void masksStoredAsZeroOneAreReadAndMostlyEmptyMasksAreRefused() {
        Path zeroOne = dir.resolve("zero-one");
        SyntheticPolyps.writeLabelled(zeroOne, 1, 3, 32, 32, "png");
        Path maskFile = zeroOne.resolve("masks/img_0000.png");
        Mat m = Imgcodecs.imread(maskFile.toString(), Imgcodecs.IMREAD_GRAYSCALE);
        Mat scaled = new Mat();
        m.convertTo(scaled, CvType.CV_8U, 1 / 255.0);
        Imgcodecs.imwrite(maskFile.toString(), scaled);
        Sample sample = KvasirSegDataset.load(KvasirSegDataset.open(zeroOne).pairs().get(0), 32);
        int ones = 0;
        for (byte b : sample.mask()) {
            ones += b;
        }
        assertTrue(ones > 20, "a 0/1 mask must keep its polyp, got " + ones + " pixels");

        Path empty = dir.resolve("empty");
        SyntheticPolyps.writeLabelled(empty, 10, 3, 32, 32, "png");
        for (int i = 0; i < 6; i++) {
            Mat black = new Mat(32, 32, CvType.CV_8UC1, new Scalar(0));
            Imgcodecs.imwrite(empty.resolve(String.format("masks/img_%04d.png", i)).toString(), black);
        }
        StringWriter err = new StringWriter();
        assertEquals(2, cli(err, "finetune", "--dataset", empty.toString(), "--run-dir", dir.resolve("ft-empty").toString(),
                "--input-size", "32", "--max-iterations", "1"));
        assertTrue(err.toString().contains("masks are empty"), err.toString());
    }
}
