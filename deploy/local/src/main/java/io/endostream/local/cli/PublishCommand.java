package io.endostream.local.cli;

import io.endostream.contracts.Topics;
import io.endostream.local.stream.FrameProducers;
import io.endostream.local.stream.RecordingPublisher;
import io.endostream.local.stream.StreamStats;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Replays a recorded video (any container/codec OpenCV reads; frames re-encoded as JPEG) or a "
            + "folder of images (sent in file-name order; JPEG and PNG files as they are, other formats as JPEG) to "
            + "Kafka as ONE stream keyed by --stream-id, paced at --fps, with CloudEvents headers."})
final class PublishCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--video", paramLabel = "FILE", description = "A video file, e.g. a recorded procedure.")
        Path video;

        @Option(names = "--images", paramLabel = "DIR",
                description = "A folder of images (jpg, jpeg, png, bmp, tif, tiff, webp), e.g. Kvasir-SEG's images/.")
        Path images;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--bootstrap", defaultValue = "localhost:9092", paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--stream-id", required = true, paramLabel = "ID",
            description = "Stream id: the record key (e.g. room-3).")
    String streamId;

    @Option(names = "--fps", paramLabel = "F",
            description = "Frames per second (default: the video's own rate, else 25).")
    Double fps;

    @Option(names = "--loop", description = "Start again from the first frame at the end, until Ctrl-C.")
    boolean loop;

    @Option(names = "--quality", defaultValue = "90", paramLabel = "Q",
            description = "JPEG quality 1..100 for re-encoded frames (default: ${DEFAULT-VALUE}).")
    int quality;

    @Option(names = "--topic", defaultValue = Topics.FRAMES, paramLabel = "TOPIC",
            description = "Destination topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Override
    public Integer call() throws InterruptedException {
        double rate = fps != null ? fps
                : source.video != null ? RecordingPublisher.videoFps(source.video).orElse(25.0) : 25.0;
        if (source.images != null) {
            RecordingPublisher.imagesIn(source.images); // fail fast on an empty or missing folder
        }
        Path from = source.video != null ? source.video : source.images;
        System.out.printf("Publishing %s as stream '%s' at %.1f fps to %s on %s%s%n", from, streamId, rate, topic,
                bootstrap, loop ? " (looping; Ctrl-C stops)" : "");
        long t0 = System.nanoTime();
        try (GracefulStop stop = new GracefulStop("publish-shutdown")) {
            StreamStats stats;
            try (KafkaProducer<byte[], byte[]> producer = FrameProducers.create(bootstrap, "endostream-publisher")) {
                RecordingPublisher publisher = new RecordingPublisher(producer, topic, streamId, quality, System.err);
                System.out.println("Run id " + publisher.runId() + ": frame ids " + streamId + "-" + publisher.runId()
                        + "-i");
                stats = source.video != null
                        ? publisher.publishVideo(source.video, rate, loop, stop.requested())
                        : publisher.publishImages(source.images, rate, loop, stop.requested());
            }
            System.out.printf("Done in %.1f s: %s%n", (System.nanoTime() - t0) / 1e9, stats);
            return stats.failed() == 0 ? 0 : 1;
        }
    }
}
