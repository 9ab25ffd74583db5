package io.endostream.local.cli;

import io.endostream.local.loadgen.FrameSet;
import io.endostream.local.loadgen.LoadGenerator;
import io.endostream.local.loadgen.LoadReport;
import io.endostream.local.loadgen.LoadSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "loadgen", mixinStandardHelpOptions = true,
        description = {"Load generator: N streams at F fps for T seconds against a running stack, and the same load "
            + "through a plain Kafka relay (consumer -> producer, no image work) as the floor, alternating in one run, "
            + "R times. Measures per stream the delivered fps, end-to-end latency p50/p99/p99.9 from the client's "
            + "side (frame sent -> mask received), dead letters, frames without an answer (skips) and duplicates.",
            "Frames are prepared once before the clock starts (simulated JPEGs or an image folder). Writes "
                + "report.json, report.md and latency.png into --out."})
final class LoadgenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap", defaultValue = "127.0.0.1:9092", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers of the running stack (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--streams", defaultValue = "1", paramLabel = "N", description = "Streams (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--fps", defaultValue = "25", paramLabel = "F",
            description = "Frames per second per stream (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--seconds", defaultValue = "45", paramLabel = "T",
            description = "Sending time per phase, warm-up included (default: ${DEFAULT-VALUE}: 1000 measured frames "
                + "per stream at 25 fps after the warm-up).")
    double seconds;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "S",
            description = "Seconds at the start of each phase left out of the figures (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--grace", defaultValue = "10", paramLabel = "S",
            description = "How long to wait for the last answers (default: ${DEFAULT-VALUE}).")
    double grace;

    @Option(names = "--repeats", defaultValue = "3", paramLabel = "R",
            description = "Phases per target (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--targets", defaultValue = "relay,service", split = ",", paramLabel = "T",
            description = "relay, service or both, in this order per repeat (default: ${DEFAULT-VALUE}).")
    List<String> targets;

    @Option(names = "--size", defaultValue = "720x576", paramLabel = "WxH", converter = FrameSize.Converter.class,
            description = "Size of the simulated frames (default: ${DEFAULT-VALUE}).")
    FrameSize size;

    @Option(names = "--distinct-frames", defaultValue = "50", paramLabel = "K",
            description = "Simulated frames rendered before the run and sent in a cycle (default: ${DEFAULT-VALUE}).")
    int distinctFrames;

    @Option(names = "--quality", defaultValue = "90", paramLabel = "Q",
            description = "JPEG quality of the simulated frames (default: ${DEFAULT-VALUE}).")
    int quality;

    @Option(names = "--images", paramLabel = "DIR",
            description = "Send the JPEG/PNG files of this folder (up to --distinct-frames of them) instead of "
                + "simulated frames, e.g. frames extracted from a video.")
    Path images;

    @Option(names = "--service-metrics", paramLabel = "URL",
            description = "The service's Prometheus endpoint, to count its skips per phase, e.g. "
                + "http://127.0.0.1:8081/q/metrics (default: none: skips show as unanswered frames only).")
    String serviceMetrics;

    @Option(names = "--out", defaultValue = "loadgen-report", paramLabel = "DIR",
            description = "Folder for report.json, report.md and latency.png (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws InterruptedException {
        for (String target : targets) {
            if (!target.equals(LoadGenerator.RELAY) && !target.equals(LoadGenerator.SERVICE)) {
                throw new IllegalArgumentException("--targets: '" + target + "' is neither relay nor service");
            }
        }
        LoadSettings settings = new LoadSettings(streams, fps, seconds, warmup, grace, repeats);
        System.out.println("[loadgen] preparing frames ...");
        FrameSet frames = images != null ? FrameSet.folder(images, distinctFrames)
                : FrameSet.simulated(distinctFrames, size.width(), size.height(), 1, quality);
        System.out.printf("[loadgen] %s, mean %.0f KB%n", frames.description(), frames.meanBytes() / 1000);
        String command = "endostream-local loadgen " + String.join(" ", spec.commandLine().getParseResult()
                .originalArgs());
        try (GracefulStop stop = new GracefulStop("loadgen-shutdown")) {
            LoadReport report = new LoadGenerator(bootstrap, settings, frames, System.out)
                    .run(command, targets, serviceMetrics, stop.requested());
            report.write(out);
            System.out.println();
            System.out.print(report.markdown());
            System.out.println("\n[loadgen] wrote " + out.resolve("report.json") + ", report.md, latency.png");
            return 0;
        }
    }
}
