package io.endostream.local.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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

    /** Default bind address: loopback only. The broker has no authentication, so the network must be asked for. */
    public static final String LOOPBACK = "127.0.0.1";
    /** Default time retention of the data topics: local frames are for watching, not for keeping. */
    public static final long DEFAULT_RETENTION_MINUTES = 60;
    /** Default size retention per partition of a data topic (a stream writes one partition per topic). */
    public static final long DEFAULT_RETENTION_MB = 256;
    /** Segment size: retention deletes whole closed segments, so they must be much smaller than the size limit. */
    static final long SEGMENT_BYTES = 64L * 1024 * 1024;

    /**
     * Where and how the broker runs.
     *
     * @param dataDir           holds server.properties and the logs; reused across restarts
     * @param host              host name clients are told to connect to (advertised listener)
     * @param port              client port
     * @param controllerPort    KRaft controller port (always bound to loopback)
     * @param partitions        partitions of the data topics (frames, masks, dead letters, shadow)
     * @param listenAddress     address the client port binds to: {@link #LOOPBACK} unless the network is wanted
     *                          ({@code 0.0.0.0} = every interface)
     * @param retentionMinutes  records older than this are deleted (delete-policy topics; compacted ones keep theirs)
     * @param retentionMbPerPartition a partition larger than this many MiB loses its oldest segments
     */
    public record Settings(Path dataDir, String host, int port, int controllerPort, int partitions,
                           String listenAddress, long retentionMinutes, long retentionMbPerPartition) {

        /** Loopback only, default retention. */
        public Settings(Path dataDir, String host, int port, int controllerPort, int partitions) {
            this(dataDir, host, port, controllerPort, partitions, LOOPBACK, DEFAULT_RETENTION_MINUTES,
                    DEFAULT_RETENTION_MB);
        }

        public Settings {
            if (retentionMinutes < 1) {
                throw new IllegalArgumentException("retention must be >= 1 minute, was " + retentionMinutes);
            }
            if (retentionMbPerPartition * 1024 * 1024 < 2 * SEGMENT_BYTES) {
                throw new IllegalArgumentException("size retention must be >= " + 2 * SEGMENT_BYTES / (1024 * 1024)
                        + " MiB per partition (two " + SEGMENT_BYTES / (1024 * 1024) + " MiB segments), was "
                        + retentionMbPerPartition);
            }
            if (listenAddress == null || listenAddress.isBlank()) {
                throw new IllegalArgumentException("listen address must not be blank");
            }
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
        requireFree(settings.listenAddress(), settings.port(), "client");
        requireFree(LOOPBACK, settings.controllerPort(), "controller");
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

    /**
     * Fails at once, naming the port, when something already listens there: Kafka would otherwise log the bind error
     * and leave its caller waiting for a broker that never comes.
     */
    static void requireFree(String address, int port, String what) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // a port in TIME_WAIT is free for Kafka too
            probe.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IllegalArgumentException("the " + what + " port " + port + " on " + address
                    + " is in use (another broker? choose another with --port / --controller-port): " + e.getMessage(), e);
        }
    }

    static Properties serverProperties(Settings s, Path logs) {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.voters", "1@" + LOOPBACK + ":" + s.controllerPort());
        // No authentication: the client listener binds where asked (loopback by default), the controller to loopback.
        p.setProperty("listeners", "PLAINTEXT://" + s.listenAddress() + ":" + s.port()
                + ",CONTROLLER://" + LOOPBACK + ":" + s.controllerPort());
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
        // Retention as broker defaults, so topics created by an older run (without overrides) are trimmed as well.
        p.setProperty("log.retention.ms", String.valueOf(s.retentionMinutes() * 60_000));
        p.setProperty("log.retention.bytes", String.valueOf(s.retentionMbPerPartition() * 1024 * 1024));
        p.setProperty("log.segment.bytes", String.valueOf(SEGMENT_BYTES));
        p.setProperty("log.roll.ms", String.valueOf(Math.min(s.retentionMinutes() * 60_000 / 4, 3_600_000)));
        p.setProperty("log.retention.check.interval.ms", "60000");
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
