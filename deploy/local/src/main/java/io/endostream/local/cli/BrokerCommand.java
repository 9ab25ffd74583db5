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
            + "Accepts records up to 16 MiB (frames). Listens on loopback only unless --listen says otherwise. "
            + "Stop it with Ctrl-C: it shuts down cleanly.",
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

    @Option(names = "--listen", defaultValue = KraftBroker.LOOPBACK, paramLabel = "ADDRESS",
            description = "Address the client port binds to (default: ${DEFAULT-VALUE}, this machine only: the broker "
                + "has no authentication). 0.0.0.0 opens it to every network the machine is on; then give --host.")
    String listen;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Host name advertised to clients (default: the --listen address); the machine's name when "
                + "clients run elsewhere.")
    String host;

    @Option(names = "--retention-minutes", defaultValue = "" + KraftBroker.DEFAULT_RETENTION_MINUTES, paramLabel = "M",
            description = "Frames, masks and dead letters older than this are deleted (default: ${DEFAULT-VALUE}). "
                + "Compacted control topics keep their latest values.")
    long retentionMinutes;

    @Option(names = "--retention-mb", defaultValue = "" + KraftBroker.DEFAULT_RETENTION_MB, paramLabel = "MIB",
            description = "Size limit per partition of each data topic, in MiB (default: ${DEFAULT-VALUE}; a stream "
                + "writes one partition per topic); the oldest 64 MiB segments go first.")
    long retentionMb;

    @Option(names = "--partitions", defaultValue = "12", paramLabel = "N",
            description = "Partitions of the frame, mask, dead-letter and shadow topics (default: ${DEFAULT-VALUE}); "
                + "bounds how many inference instances can share the load.")
    int partitions;

    @Override
    public Integer call() {
        boolean wildcard = listen.equals("0.0.0.0") || listen.equals("::") || listen.equals("[::]");
        if (wildcard && host == null) {
            throw new IllegalArgumentException("--host is required with --listen " + listen
                    + ": clients need a name to connect to");
        }
        KraftBroker.Settings settings = new KraftBroker.Settings(dataDir, host != null ? host : listen, port,
                controllerPort != null ? controllerPort : port + 1, partitions, listen, retentionMinutes, retentionMb);
        if (!listen.equals(KraftBroker.LOOPBACK) && !listen.equals("localhost")) {
            System.err.println("WARNING: the broker listens on " + listen + ":" + port + " without authentication: "
                    + "anyone who reaches it can read frames and write rollouts.");
        }
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
                + " partitions; kept " + retentionMinutes + " min or " + retentionMb + " MiB per partition); "
                + String.join(", ", EndoStreamTopics.CONTROL_TOPICS) + " (compacted). Ctrl-C stops.");
        broker.awaitShutdown();
        return 0;
    }
}
