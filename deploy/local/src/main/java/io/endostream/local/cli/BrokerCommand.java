package io.endostream.local.cli;

import io.endostream.contracts.Topics;
import io.endostream.local.kafka.EndoStreamTopics;
import io.endostream.local.kafka.KraftBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Runs a single-node Kafka broker (KRaft, broker and controller in this process) for the local "
            + "stack and creates EndoStream's topics once it is ready. Data stays in --data-dir across restarts. "
            + "Accepts records up to 16 MiB (frames). Stop it with Ctrl-C: it shuts down cleanly.",
            "Topics: " + Topics.FRAMES + ", " + Topics.MASKS + ", " + Topics.FRAMES_DLQ + ", " + Topics.MASKS_SHADOW
                + " (--partitions each); " + Topics.MODELS + ", " + Topics.ROLLOUTS + ", " + Topics.TELEMETRY
                + " (compacted, 1 partition)."})
final class BrokerCommand implements Callable<Integer> {

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Directory for the broker's configuration and logs; created and formatted on first use.")
    Path dataDir;

    @Option(names = "--port", defaultValue = "9092", paramLabel = "PORT",
            description = "Client port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", paramLabel = "PORT",
            description = "KRaft controller port (default: --port + 1).")
    Integer controllerPort;

    @Option(names = "--host", defaultValue = "localhost", paramLabel = "HOST",
            description = "Host name advertised to clients (default: ${DEFAULT-VALUE}); use the machine's name when "
                + "clients run elsewhere.")
    String host;

    @Option(names = "--partitions", defaultValue = "12", paramLabel = "N",
            description = "Partitions of the frame, mask, dead-letter and shadow topics (default: ${DEFAULT-VALUE}); "
                + "bounds how many inference instances can share the load.")
    int partitions;

    @Override
    public Integer call() {
        KraftBroker.Settings settings = new KraftBroker.Settings(dataDir, host, port,
                controllerPort != null ? controllerPort : port + 1, partitions);
        long start = System.nanoTime();
        KraftBroker broker = KraftBroker.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the broker...");
            broker.close();
            System.out.println("Broker stopped; data kept in " + dataDir.toAbsolutePath());
        }, "broker-shutdown"));
        System.out.printf("Kafka broker ready at %s in %.1f s (data: %s; max record %d bytes).%n",
                broker.bootstrapServers(), (System.nanoTime() - start) / 1e9, dataDir.toAbsolutePath(),
                EndoStreamTopics.MAX_MESSAGE_BYTES);
        System.out.println("Topics: " + String.join(", ", EndoStreamTopics.DATA_TOPICS) + " (" + partitions
                + " partitions); " + String.join(", ", EndoStreamTopics.CONTROL_TOPICS) + " (compacted). Ctrl-C stops.");
        broker.awaitShutdown();
        return 0;
    }
}
