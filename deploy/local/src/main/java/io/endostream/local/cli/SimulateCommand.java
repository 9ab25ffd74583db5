package io.endostream.local.cli;

import io.endostream.contracts.Topics;
import io.endostream.local.simulator.SimulatedDatasets;
import io.endostream.local.stream.FrameProducers;
import io.endostream.local.stream.RunIds;
import io.endostream.local.stream.SimulatedStreams;
import io.endostream.local.stream.StreamStats;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Synthetic colonoscopy (deterministic from a seed): labelled or unlabelled datasets on disk, "
            + "or live streams to Kafka.",
        subcommands = {SimulateCommand.Dataset.class, SimulateCommand.Unlabelled.class, SimulateCommand.Video.class,
            SimulateCommand.Stream.class})
final class SimulateCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Options shared by the commands that write a set of still images (labelled or not). */
    static final class ImageSetOptions {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        Path out;

        @Option(names = "--count", required = true, paramLabel = "N", description = "Number of images.")
        int count;

        @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--size", defaultValue = "720x576", paramLabel = "WxH", converter = FrameSize.Converter.class,
                description = "Image size (default: ${DEFAULT-VALUE}).")
        FrameSize size;
    }

    @Command(name = "dataset", mixinStandardHelpOptions = true,
            description = "Writes a labelled dataset in the Kvasir-SEG layout: OUT/images/frame_00000.jpg and "
                + "OUT/masks/frame_00000.png (same base name; masks are 8-bit PNG, 0 background, 255 polyp). About "
                + "90%% of images show at least one polyp.")
    static final class Dataset implements Callable<Integer> {
        @Mixin
        ImageSetOptions images;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            SimulatedDatasets.writeLabelled(images.out, images.count, images.seed, images.size.width(), images.size.height());
            System.out.printf("Wrote %d labelled images (%s) to %s in %.1f s%n", images.count, images.size, images.out,
                    (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    @Command(name = "unlabelled", mixinStandardHelpOptions = true,
            description = "Writes a folder of unlabelled frames: OUT/frame_00000.jpg ... (for self-supervised "
                + "pretraining).")
    static final class Unlabelled implements Callable<Integer> {
        @Mixin
        ImageSetOptions images;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            SimulatedDatasets.writeUnlabelled(images.out, images.count, images.seed, images.size.width(), images.size.height());
            System.out.printf("Wrote %d unlabelled images (%s) to %s in %.1f s%n", images.count, images.size, images.out,
                    (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    @Command(name = "video", mixinStandardHelpOptions = true,
            description = "Writes one simulated video as a Motion-JPEG AVI at 25 fps (a stand-in for a recorded "
                + "procedure; replay it with 'publish --video').")
    static final class Video implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "FILE.avi", description = "Output video file.")
        Path out;

        @Option(names = "--seconds", defaultValue = "10", paramLabel = "T",
                description = "Length in seconds (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--size", defaultValue = "720x576", paramLabel = "WxH", converter = FrameSize.Converter.class,
                description = "Frame size (default: ${DEFAULT-VALUE}).")
        FrameSize size;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            SimulatedDatasets.writeVideo(out, seconds, seed, size.width(), size.height());
            System.out.printf("Wrote %.0f s of %s video to %s in %.1f s%n", seconds, size, out,
                    (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    @Command(name = "stream", mixinStandardHelpOptions = true,
            description = {"Publishes live simulated streams to Kafka: keys sim-1 .. sim-N, each at --fps, paced in "
                + "real time, JPEG frames with CloudEvents headers (sequence, capture time, size). The producer is "
                + "idempotent with acks=all and linger.ms=0, sized for 16 MiB frames.",
                "Rendering costs about 30 ms of one core per 720x576 frame: streams x fps beyond the machine's cores "
                    + "fall behind (counted as 'late')."})
    static final class Stream implements Callable<Integer> {
        @Option(names = "--bootstrap", defaultValue = "localhost:9092", paramLabel = "HOST:PORT",
                description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
        String bootstrap;

        @Option(names = "--streams", defaultValue = "1", paramLabel = "N",
                description = "Number of streams (default: ${DEFAULT-VALUE}).")
        int streams;

        @Option(names = "--fps", defaultValue = "25", paramLabel = "F",
                description = "Frames per second per stream (default: ${DEFAULT-VALUE}).")
        double fps;

        @Option(names = "--seconds", defaultValue = "60", paramLabel = "T",
                description = "How long to stream (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--size", defaultValue = "720x576", paramLabel = "WxH", converter = FrameSize.Converter.class,
                description = "Frame size (default: ${DEFAULT-VALUE}).")
        FrameSize size;

        @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
                description = "Seed; stream k uses S + k (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--quality", defaultValue = "90", paramLabel = "Q",
                description = "JPEG quality 1..100 (default: ${DEFAULT-VALUE}).")
        int quality;

        @Option(names = "--topic", defaultValue = Topics.FRAMES, paramLabel = "TOPIC",
                description = "Destination topic (default: ${DEFAULT-VALUE}).")
        String topic;

        @Override
        public Integer call() throws InterruptedException {
            SimulatedStreams.Plan plan = new SimulatedStreams.Plan(streams, fps, seconds, size.width(), size.height(),
                    seed, quality, topic);
            String runId = RunIds.newRunId();
            System.out.printf("Streaming %d x %s at %.1f fps for %.0f s to %s on %s (run id %s: frame ids sim-k-%s-i)%n",
                    streams, size, fps, seconds, topic, bootstrap, runId, runId);
            long t0 = System.nanoTime();
            StreamStats stats = new StreamStats();
            // Progress every 5 s on long runs.
            var progress = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stream-progress");
                t.setDaemon(true);
                return t;
            });
            progress.scheduleAtFixedRate(() -> System.out.printf("  %5.0f s: %s%n", (System.nanoTime() - t0) / 1e9,
                    stats), 5, 5, java.util.concurrent.TimeUnit.SECONDS);
            try (GracefulStop stop = new GracefulStop("stream-shutdown")) {
                try (KafkaProducer<byte[], byte[]> producer = FrameProducers.create(bootstrap, "endostream-simulator")) {
                    SimulatedStreams.run(producer, plan, stop.requested(), stats, runId);
                } finally {
                    progress.shutdownNow();
                }
                double elapsed = (System.nanoTime() - t0) / 1e9;
                // printed before the hook is released: on Ctrl-C the JVM exits as soon as it is
                System.out.printf("Done in %.1f s: %s (%.1f frames/s overall)%n", elapsed, stats,
                        stats.acknowledged() / elapsed);
                return stats.failed() == 0 ? 0 : 1;
            }
        }
    }
}
