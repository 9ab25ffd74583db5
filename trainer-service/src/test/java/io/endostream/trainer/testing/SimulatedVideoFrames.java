package io.endostream.trainer.testing;

import io.endostream.local.Native;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes frames of ONE simulated video (seed, size, every n-th frame from a start index, polyp frames only) in the
 * Kvasir-SEG layout, JPEG quality 90: the frames inference-service's quality test sends, so the fixture can be
 * evaluated on them with {@code evaluate --split all}. Args: {@code DIR SEED WIDTH HEIGHT START STEP COUNT}.
 */
public final class SimulatedVideoFrames {
    private SimulatedVideoFrames() {
    }

    public static void main(String[] args) throws IOException {
        Native.loadOpenCv();
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int w = Integer.parseInt(args[2]);
        int h = Integer.parseInt(args[3]);
        int index = Integer.parseInt(args[4]);
        int step = Integer.parseInt(args[5]);
        int count = Integer.parseInt(args[6]);
        Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(dir.resolve("masks"));
        try (EndoscopySimulator sim = new EndoscopySimulator(seed, w, h)) {
            for (int i = 0; i < count; index += step) {
                try (SimulatedFrame f = sim.frame(index)) {
                    if (f.polypCount() == 0) {
                        continue;
                    }
                    String name = String.format("video%d_%05d", seed, index);
                    Files.write(dir.resolve("images/" + name + ".jpg"), f.jpeg(90));
                    Files.write(dir.resolve("masks/" + name + ".png"), f.maskPng());
                    i++;
                }
            }
        }
        System.out.println("wrote " + count + " polyp frames to " + dir);
        System.exit(0);
    }
}
