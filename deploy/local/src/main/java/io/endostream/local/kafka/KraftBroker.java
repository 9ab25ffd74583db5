package io.endostream.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A standalone single-node KRaft broker (combined broker and controller) whose data lives in a directory and survives
 * restarts: the local stack's broker. It writes {@code server.properties} into the directory, formats the storage on
 * first start (Kafka's StorageTool), runs {@link KafkaRaftServer}, and creates EndoStream's topics once it answers.
 *
 * <p>Unlike {@link EmbeddedKafkaCluster} (tests: temporary, random ports) this one listens where you say.
 */
public final class KraftBroker implements AutoCloseable {

    /**
     * Where and how the broker runs.
     *
     * @param dataDir        holds server.properties and the logs; reused across restarts
     * @param host           host name clients are told to connect to (advertised listener)
     * @param port           client port
     * @param controllerPort KRaft controller port (local only)
     * @param partitions     partitions of the data topics (frames, masks, dead letters, shadow)
     */
    public record Settings(Path dataDir, String host, int port, int controllerPort, int partitions) {
        public Settings {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be in 1..65535, was " + port);
            }
            if (controllerPort < 1 || controllerPort > 65535 || controllerPort == port) {
                throw new IllegalArgumentException("controller port must be in 1..65535 and differ from the port "
                        + port + ", was " + controllerPort);
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
            }
        }
    }

    private final Settings settings;
    private final KafkaRaftServer server;
    private volatile boolean closed;

    private KraftBroker(Settings settings, KafkaRaftServer server) {
        this.settings = settings;
        this.server = server;
    }

    /** Formats the data directory if it is new, starts the broker, waits until it answers and creates the topics. */
    public static KraftBroker start(Settings settings) {
        Path dir = settings.dataDir().toAbsolutePath();
        Path logs = dir.resolve("logs");
        Path configFile = dir.resolve("server.properties");
        Properties props = serverProperties(settings, logs);
        try {
            Files.createDirectories(logs);
            try (Writer out = Files.newBufferedWriter(configFile, StandardCharsets.UTF_8)) {
                props.store(out, "Written by EndoStream's local broker on every start; edits are overwritten");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + configFile + ": " + e.getMessage(), e);
        }
        if (!Files.exists(logs.resolve("meta.properties"))) {
            format(configFile);
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        KraftBroker broker = new KraftBroker(settings, server);
        try {
            broker.createTopicsWhenReady(Duration.ofSeconds(60));
        } catch (RuntimeException e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    static Properties serverProperties(Settings s, Path logs) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@localhost:" + s.controllerPort());
        p.setProperty("listeners", "PLAINTEXT://:" + s.port() + ",CONTROLLER://localhost:" + s.controllerPort());
        p.setProperty("advertised.listeners", "PLAINTEXT://" + s.host() + ":" + s.port());
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("log.dirs", logs.toString());
        p.setProperty("num.partitions", String.valueOf(s.partitions()));
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // Frames up to 16 MiB (Topics.MAX_FRAME_BYTES) plus headers.
        p.setProperty("message.max.bytes", String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
        p.setProperty("replica.fetch.max.bytes", String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
        return p;
    }

    private static void format(Path configFile) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int status;
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            status = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                configFile.toString(), "--ignore-formatted"}, print);
        }
        if (status != 0) {
            throw new IllegalStateException("Kafka's StorageTool could not format " + configFile.getParent() + ": "
                    + output.toString(StandardCharsets.UTF_8).trim());
        }
    }

    private void createTopicsWhenReady(Duration timeout) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(props)) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    EndoStreamTopics.create(admin, settings.partitions());
                    return;
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("Interrupted while waiting for the broker", e);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("The broker at " + bootstrapServers() + " did not become ready"
                                + " within " + timeout.toSeconds() + " s: " + e.getMessage(), e);
                    }
                    sleep(250);
                }
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return settings.host() + ":" + settings.port();
    }

    public Settings settings() {
        return settings;
    }

    /** Blocks until the broker has shut down (after {@link #close()}, e.g. from a shutdown hook). */
    public void awaitShutdown() {
        server.awaitShutdown();
    }

    /** Stops the broker cleanly (controlled shutdown, logs flushed); its data stays in the directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.shutdown();
        server.awaitShutdown();
    }
}
