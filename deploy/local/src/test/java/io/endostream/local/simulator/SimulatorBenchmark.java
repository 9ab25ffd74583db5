package io.endostream.local.simulator;

import java.nio.file.Path;

/**
 * Benchmark run by hand (not a test): frames per second of the simulator on one thread, rendering and rendering plus
 * JPEG encoding. {@code ./mvnw -B -q -o -pl deploy/local test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.endostream.local.simulator.SimulatorBenchmark -Dexec.args="720 576 250"}
 */
public final class SimulatorBenchmark {

    public static void main(String[] args) {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 720;
        int height = args.length > 1 ? Integer.parseInt(args[1]) : 576;
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 250;
        if (args.length > 3) {
            SampleGrid.write(Path.of(args[3]), 1, 5, width, height, false);
        }
        io.endostream.local.Native.loadOpenCv();
        org.opencv.core.Core.setNumThreads(1);
        long t0 = System.nanoTime();
        try (EndoscopySimulator simulator = new EndoscopySimulator(42, width, height)) {
            long t1 = System.nanoTime();
            for (int i = 0; i < 25; i++) {
                simulator.next().close();
            }
            long t2 = System.nanoTime();
            int withPolyps = 0;
            for (int i = 0; i < frames; i++) {
                try (SimulatedFrame f = simulator.next()) {
                    withPolyps += f.polypCount() > 0 ? 1 : 0;
                }
            }
            long t3 = System.nanoTime();
            long bytes = 0;
            for (int i = 0; i < frames; i++) {
                try (SimulatedFrame f = simulator.next()) {
                    bytes += f.jpeg(90).length;
                }
            }
            long t4 = System.nanoTime();
            System.out.printf("size %dx%d, OpenCV threads 1: construct %.0f ms; render %.2f ms/frame (%.1f fps); "
                    + "render+JPEG q90 %.2f ms/frame (%.1f fps, %.0f KB/frame); frames with polyps %d/%d%n",
                    width, height, (t1 - t0) / 1e6, (t3 - t2) / 1e6 / frames, frames * 1e9 / (t3 - t2),
                    (t4 - t3) / 1e6 / frames, frames * 1e9 / (t4 - t3), bytes / 1024.0 / frames, withPolyps, frames);
        }
    }
}
