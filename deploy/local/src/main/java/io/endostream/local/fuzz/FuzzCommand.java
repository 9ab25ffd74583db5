package io.endostream.local.fuzz;

import io.endostream.contracts.Topics;
import io.endostream.local.Native;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.endostream.local.stream.FrameProducers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = {"Sends seeded, mutated JPEG and PNG frames (bit flips, truncations, spliced runs, damaged "
            + "headers, absurd dimensions, trailers, repeated chunks) to a running service, the way a plain client "
            + "would: key = stream id, value = the bytes, no headers. Every one must end as a mask or a dead letter "
            + "(check with 'audit'), and other streams must be unaffected."})
public final class FuzzCommand implements Callable<Integer> {

    @Option(names = "--bootstrap", defaultValue = "localhost:9092", description = "default: ${DEFAULT-VALUE}")
    String bootstrap;

    @Option(names = "--count", defaultValue = "1000", description = "Mutated frames to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--stream", defaultValue = "fuzz-1", description = "Stream id (default: ${DEFAULT-VALUE}).")
    String stream;

    @Option(names = "--seed", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--fps", defaultValue = "50", description = "Frames per second (default: ${DEFAULT-VALUE}).")
    double fps;

    @Option(names = "--topic", defaultValue = Topics.FRAMES, description = "default: ${DEFAULT-VALUE}")
    String topic;

    @Override
    public Integer call() throws Exception {
        if (count < 1 || fps <= 0) {
            throw new IllegalArgumentException("--count must be >= 1 and --fps > 0");
        }
        Native.loadOpenCv();
        List<byte[]> originals = new ArrayList<>();
        try (EndoscopySimulator simulator = new EndoscopySimulator(seed, 320, 256)) {
            for (int i = 0; i < 4; i++) {
                try (SimulatedFrame frame = simulator.next()) {
                    originals.add(frame.jpeg(90));
                    originals.add(frame.png());
                }
            }
        }
        SplittableRandom random = new SplittableRandom(seed);
        byte[] key = stream.getBytes(StandardCharsets.UTF_8);
        long periodNanos = (long) (1e9 / fps);
        long next = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = FrameProducers.create(bootstrap, "endostream-fuzz")) {
            for (int i = 0; i < count; i++) {
                byte[] mutant = FrameMutator.mutate(originals.get(random.nextInt(originals.size())), random);
                producer.send(new ProducerRecord<>(topic, key, mutant));
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            producer.flush();
        }
        System.out.println("sent " + count + " mutated frames on stream " + stream + " (seed " + seed + ")");
        return 0;
    }
}
