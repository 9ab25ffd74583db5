package io.endostream.trainer.cli;

import io.endostream.trainer.testing.SyntheticPolyps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerCliTest {

    @TempDir
    Path dir;

    @Test
    void everySubcommandHasHelp() {
        for (String sub : List.of("pretrain", "finetune", "evaluate", "export", "pipeline", "publish")) {
            StringWriter out = new StringWriter();
            CommandLine cl = TrainerCli.commandLine();
            cl.setOut(new PrintWriter(out));
            assertEquals(0, cl.execute(sub, "--help"), sub);
            assertTrue(out.toString().contains("Usage: trainer " + sub), out.toString());
        }
    }

    @Test
    void aDatasetErrorEndsWithOneLineNamingTheFileAndExitCode2() throws Exception {
        SyntheticPolyps.writeLabelled(dir.resolve("data"), 3, 1, 32, 32, "png");
        Files.delete(dir.resolve("data/masks/img_0002.png"));
        StringWriter err = new StringWriter();
        CommandLine cl = TrainerCli.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("finetune", "--dataset", dir.resolve("data").toString(), "--run-dir", dir.resolve("run").toString(),
                "--input-size", "32");
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("img_0002.jpg"), err.toString());
    }

    @Test
    void progressLineShowsBarCountsAndEta() {
        String line = ConsoleProgressBar.render(new io.endostream.trainer.run.Progress("finetune", 25, 100, 60, 180,
                java.util.Map.of("loss", 0.5), "epoch 2/4"));
        assertTrue(line.contains("[#######.....................]") && line.contains("25% 25/100") && line.contains("ETA 03:00")
                && line.contains("loss 0.5000") && line.contains("epoch 2/4"), line);
    }
}
