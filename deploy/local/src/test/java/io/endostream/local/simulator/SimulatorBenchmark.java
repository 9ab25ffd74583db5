package io.endostream.local.simulator;

import io.endostream.local.Native;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.opencv.core.Core;

/**
 * Benchmark run by hand (not a test): the simulator's cost per frame on one thread (OpenCV limited to one thread),
 * rendering alone and rendering plus JPEG encoding. Reports wall time and this thread's CPU time: on a shared, busy
 * machine the CPU time is the honest figure for "one core".
 *
 * <pre>./mvnw -B -q -o -pl deploy/local test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=io.endostream.local.simulator.SimulatorBenchmark -Dexec.args="720 576 250"</pre>
 */
public final class SimulatorBenchmark {

    public static void main(String[] args) {
        int width = args.length > 0 ? Integer.parseInt(args[0]) : 720;
        int height = args.length > 1 ? Integer.parseInt(args[1]) : 576;
        int frames = args.length > 2 ? Integer.parseInt(args[2]) : 250;
        Native.loadOpenCv();
        Core.setNumThreads(1);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long wall0 = System.nanoTime();
        long cpu0 = cpu.getCurrentThreadCpuTime();
        try (EndoscopySimulator simulator = new EndoscopySimulator(42, width, height)) {
            long wall1 = System.nanoTime();
            long cpu1 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < 25; i++) {
                simulator.next().close();
            }
            int withPolyps = 0;
            long wall2 = System.nanoTime();
            long cpu2 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < frames; i++) {
                try (SimulatedFrame f = simulator.next()) {
                    withPolyps += f.polypCount() > 0 ? 1 : 0;
                }
            }
            long wall3 = System.nanoTime();
            long cpu3 = cpu.getCurrentThreadCpuTime();
            long bytes = 0;
            for (int i = 0; i < frames; i++) {
                try (SimulatedFrame f = simulator.next()) {
                    bytes += f.jpeg(90).length;
                }
            }
            long wall4 = System.nanoTime();
            long cpu4 = cpu.getCurrentThreadCpuTime();
            System.out.printf("size %dx%d, 1 thread, %d frames (%d with polyps)%n", width, height, frames, withPolyps);
            System.out.printf("  construct      : wall %7.1f ms, cpu %7.1f ms%n", (wall1 - wall0) / 1e6, (cpu1 - cpu0) / 1e6);
            report("render         ", wall3 - wall2, cpu3 - cpu2, frames);
            report("render + JPEG90", wall4 - wall3, cpu4 - cpu3, frames);
            System.out.printf("  JPEG size      : %.0f KB/frame%n", bytes / 1024.0 / frames);
        }
    }

    private static void report(String what, long wallNanos, long cpuNanos, int frames) {
        System.out.printf("  %s: wall %6.2f ms/frame (%5.1f fps), cpu %6.2f ms/frame (%5.1f fps on one core)%n", what,
                wallNanos / 1e6 / frames, frames * 1e9 / wallNanos, cpuNanos / 1e6 / frames, frames * 1e9 / cpuNanos);
    }
}
