package io.endostream.trainer.testing;

import io.endostream.local.Native;
import io.endostream.local.simulator.SimulatedDatasets;

import java.nio.file.Path;

/**
 * Writes simulator datasets for the trainer (the simulator lives in deploy/local, test scope only):
 * {@code labelled|unlabelled DIR COUNT SEED WIDTH HEIGHT}. Run with
 * {@code ./mvnw -q -pl trainer-service exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.endostream.trainer.testing.SimulatedData -Dexec.args="labelled /tmp/sim 1000 11 256 256"}.
 */
public final class SimulatedData {
    private SimulatedData() {
    }

    public static void main(String[] args) {
        if (args.length != 6) {
            System.err.println("usage: labelled|unlabelled DIR COUNT SEED WIDTH HEIGHT");
            System.exit(2);
        }
        Native.loadOpenCv();
        Path dir = Path.of(args[1]);
        int count = Integer.parseInt(args[2]);
        long seed = Long.parseLong(args[3]);
        int w = Integer.parseInt(args[4]);
        int h = Integer.parseInt(args[5]);
        long t0 = System.nanoTime();
        switch (args[0]) {
            case "labelled" -> SimulatedDatasets.writeLabelled(dir, count, seed, w, h);
            case "unlabelled" -> SimulatedDatasets.writeUnlabelled(dir, count, seed, w, h);
            default -> throw new IllegalArgumentException("first argument must be labelled or unlabelled, was " + args[0]);
        }
        System.out.printf("wrote %d %s frames to %s in %.1f s%n", count, args[0], dir, (System.nanoTime() - t0) / 1e9);
        System.exit(0);
    }
}
