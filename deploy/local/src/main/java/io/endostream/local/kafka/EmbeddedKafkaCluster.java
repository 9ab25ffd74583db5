package io.endostream.local.kafka;

import io.endostream.contracts.Topics;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker (KRaft, one combined broker+controller node) running inside this JVM, built from Kafka's own
 * test kit. It picks free ports, keeps its logs in a temporary directory and deletes them on {@link #close()}.
 *
 * <p>The broker must be the same Kafka version as the kafka-clients on the classpath (the parent pom pins both).
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
 *     kafka.createTopics(4, Topics.FRAMES);
 *     ... kafka.bootstrapServers() ...
 * }
 * }</pre>
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {

    /** Largest record batch the broker and the topics accept (a 16 MiB frame plus headers and overhead). */
    public static final int MAX_MESSAGE_BYTES = EndoStreamTopics.MAX_MESSAGE_BYTES;

    private final KafkaClusterTestKit kit;
    private final Admin admin;

    private EmbeddedKafkaCluster(KafkaClusterTestKit kit) {
        this.kit = kit;
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers());
        this.admin = Admin.create(props);
    }

    /** Formats and starts a one-node KRaft cluster and waits until its broker is ready (a few seconds). */
    public static EmbeddedKafkaCluster start() {
        KafkaClusterTestKit kit = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build();
            kit = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                    .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                    .setConfigProp("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES))
                    .setConfigProp("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES))
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "1")
                    .build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            return new EmbeddedKafkaCluster(kit);
        } catch (Exception e) {
            if (kit != null) {
                try {
                    kit.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not start the embedded Kafka broker: " + e.getMessage(), e);
        }
    }

    /** {@code host:port} list for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return kit.bootstrapServers();
    }

    /**
     * Creates topics (replication factor 1) sized for frames of {@link Topics#MAX_FRAME_BYTES}. Topics that already
     * exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        EndoStreamTopics.create(admin, partitions, false, names);
    }

    /** Creates log-compacted topics (the control plane: models, rollouts, telemetry). Existing topics are kept. */
    public void createCompactedTopics(int partitions, String... names) {
        EndoStreamTopics.create(admin, partitions, true, names);
    }

    /**
     * Creates every EndoStream topic: frames, masks, dead letters and shadow masks with {@code partitions} partitions,
     * and the compacted control topics (models, rollouts, telemetry) with one partition each.
     */
    public void createEndoStreamTopics(int partitions) {
        EndoStreamTopics.create(admin, partitions);
    }

    /** Admin client bound to this broker (owned by the cluster: do not close it). */
    public Admin admin() {
        return admin;
    }

    /** Stops the broker and deletes its data. */
    @Override
    public void close() {
        try {
            admin.close(java.time.Duration.ofSeconds(5));
        } finally {
            try {
                kit.close();
            } catch (Exception e) {
                throw new IllegalStateException("Could not stop the embedded Kafka broker: " + e.getMessage(), e);
            }
        }
    }
}
