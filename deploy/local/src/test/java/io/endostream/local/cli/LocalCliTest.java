package io.endostream.local.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;
import picocli.CommandLine;

class LocalCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = LocalCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void helpNamesEveryCommandAndEveryOptionIsDescribed() {
        assertEquals(0, run("--help"));
        for (String command : new String[] {"broker", "simulate", "publish", "loadgen", "grid"}) {
            assertTrue(out.toString().contains(command), command + " missing from --help");
        }
        CommandLine cli = LocalCli.commandLine();
        assertOptionsDescribed(cli);
    }

    private static void assertOptionsDescribed(CommandLine cli) {
        for (CommandLine.Model.OptionSpec option : cli.getCommandSpec().options()) {
            assertTrue(option.description().length > 0 && !option.description()[0].isBlank(),
                    cli.getCommandName() + " " + option.longestName() + " has no description");
        }
        cli.getSubcommands().values().forEach(LocalCliTest::assertOptionsDescribed);
    }

    @Test
    void aBadSizeIsRejectedNamingTheOption() {
        assertEquals(2, run("simulate", "dataset", "--out", "x", "--count", "1", "--size", "720by576"));
        assertTrue(err.toString().contains("--size"), err.toString());
        assertTrue(err.toString().contains("WIDTHxHEIGHT"), err.toString());
    }

    @Test
    void openingTheBrokerToTheNetworkNeedsAHostName(@TempDir Path dir) {
        assertEquals(2, run("broker", "--data-dir", dir.toString(), "--listen", "0.0.0.0"));
        assertTrue(err.toString().contains("--host"), err.toString());
    }

    @Test
    void aStreamIdOutsideTheContractsSetIsRejected(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});
        assertEquals(2, run("publish", "--bootstrap", "127.0.0.1:1", "--stream-id", "room 3", "--images",
                dir.toString()));
        assertTrue(err.toString().contains("--stream-id") && err.toString().contains("A-Z a-z 0-9"), err.toString());
    }

    @Test
    void loadgenTargetsAreRelayOrService() {
        assertEquals(2, run("loadgen", "--targets", "relay,inference"));
        assertTrue(err.toString().contains("--targets"), err.toString());
    }

    @Test
    void publishNeedsExactlyOneSource() {
        assertEquals(2, run("publish", "--stream-id", "room-1"));
        assertTrue(err.toString().contains("--video") && err.toString().contains("--images"), err.toString());
    }

    @Test
    void publishingAMissingFolderFailsWithItsName(@TempDir Path dir) {
        Path missing = dir.resolve("nowhere");
        assertEquals(2, run("publish", "--stream-id", "room-1", "--images", missing.toString()));
        assertTrue(err.toString().contains(missing.toString()), err.toString());
    }

    @Test
    void simulateDatasetWritesTheKvasirLayout(@TempDir Path dir) throws Exception {
        assertEquals(0, run("simulate", "dataset", "--out", dir.toString(), "--count", "2", "--seed", "3",
                "--size", "64x48"));
        assertTrue(Files.exists(dir.resolve("images/frame_00001.jpg")));
        assertTrue(Files.exists(dir.resolve("masks/frame_00001.png")));
        assertEquals(0, run("simulate", "unlabelled", "--out", dir.resolve("u").toString(), "--count", "1",
                "--size", "64x48"));
        assertTrue(Files.exists(dir.resolve("u/frame_00000.jpg")));
    }

    @Test
    void gridPutsFramesAboveTheirMasks(@TempDir Path dir) {
        Path png = dir.resolve("grid.png");
        assertEquals(0, run("grid", "--out", png.toString(), "--columns", "3", "--size", "80x64"));
        Mat grid = Imgcodecs.imread(png.toString());
        assertEquals(3 * 80, grid.cols());
        assertEquals(2 * 64, grid.rows());
    }
}
