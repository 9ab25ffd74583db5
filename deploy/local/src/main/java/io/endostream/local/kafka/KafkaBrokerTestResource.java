package io.endostream.local.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: a real in-JVM KRaft broker with every EndoStream topic created (data topics with
 * {@value #PARTITIONS} partitions, control topics compacted). Use it with
 * {@code @WithTestResource(KafkaBrokerTestResource.class)} on the test class; it sets
 * {@code kafka.bootstrap.servers}. Tests reach the broker through {@link #bootstrapServers()}.
 *
 * <p>Each distinct set of test resources restarts Quarkus and starts another broker (~4-5 s): group tests.
 */
public class KafkaBrokerTestResource implements QuarkusTestResourceLifecycleManager {

    /** Partitions of the frames, masks, dead-letter and shadow topics in tests. */
    public static final int PARTITIONS = 4;

    private static volatile EmbeddedKafkaCluster current;

    private EmbeddedKafkaCluster cluster;

    @Override
    public Map<String, String> start() {
        cluster = EmbeddedKafkaCluster.start();
        cluster.createEndoStreamTopics(PARTITIONS);
        current = cluster;
        return Map.of("kafka.bootstrap.servers", cluster.bootstrapServers());
    }

    @Override
    public void stop() {
        if (cluster != null) {
            if (current == cluster) {
                current = null;
            }
            cluster.close();
            cluster = null;
        }
    }

    /** Bootstrap servers of the broker this resource started; fails if none is running. */
    public static String bootstrapServers() {
        EmbeddedKafkaCluster cluster = current;
        if (cluster == null) {
            throw new IllegalStateException("KafkaBrokerTestResource is not running: annotate the test class with "
                    + "@WithTestResource(KafkaBrokerTestResource.class)");
        }
        return cluster.bootstrapServers();
    }

    /** The running cluster (for creating extra topics), or an exception when none runs. */
    public static EmbeddedKafkaCluster cluster() {
        EmbeddedKafkaCluster cluster = current;
        if (cluster == null) {
            throw new IllegalStateException("KafkaBrokerTestResource is not running");
        }
        return cluster;
    }
}
