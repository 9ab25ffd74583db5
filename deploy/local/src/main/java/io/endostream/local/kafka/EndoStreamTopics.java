package io.endostream.local.kafka;

import io.endostream.contracts.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates EndoStream's topics on a broker, sized for frames of {@link Topics#MAX_FRAME_BYTES}. */
public final class EndoStreamTopics {

    /**
     * Largest record batch the broker and the topics accept: a frame of {@link Topics#MAX_FRAME_BYTES} plus room for
     * the record and batch overhead and the CloudEvents headers.
     */
    public static final int MAX_MESSAGE_BYTES = Topics.MAX_FRAME_BYTES + 64 * 1024;

    /** Data topics: frames, masks, dead letters, shadow masks. */
    public static final List<String> DATA_TOPICS =
            List.of(Topics.FRAMES, Topics.MASKS, Topics.FRAMES_DLQ, Topics.MASKS_SHADOW);
    /** Control-plane topics, log-compacted, one partition each (a single writer; replicas rebuild state by reading). */
    public static final List<String> CONTROL_TOPICS = List.of(Topics.MODELS, Topics.ROLLOUTS, Topics.TELEMETRY);

    private EndoStreamTopics() {
    }

    /** Creates the data topics with {@code partitions} partitions and the compacted control topics; keeps existing ones. */
    public static void create(Admin admin, int partitions) {
        create(admin, partitions, false, DATA_TOPICS.toArray(String[]::new));
        create(admin, 1, true, CONTROL_TOPICS.toArray(String[]::new));
    }

    /**
     * Creates topics (replication factor 1) that accept records up to {@link #MAX_MESSAGE_BYTES}; compacted when asked.
     * Topics that already exist are left as they are.
     */
    public static void create(Admin admin, int partitions, boolean compacted, String... names) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
        }
        Map<String, String> configs = compacted
                ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES))
                : Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MAX_MESSAGE_BYTES));
        List<NewTopic> topics = new ArrayList<>();
        for (String name : names) {
            topics.add(new NewTopic(name, partitions, (short) 1).configs(configs));
        }
        var result = admin.createTopics(topics);
        for (var entry : result.values().entrySet()) {
            try {
                entry.getValue().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Could not create topic " + entry.getKey() + ": "
                            + e.getCause().getMessage(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating topic " + entry.getKey(), e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("Timed out creating topic " + entry.getKey(), e);
            }
        }
        awaitLeaders(admin, List.of(names), Duration.ofSeconds(30));
    }

    /**
     * Waits until the broker reports a leader for every partition of the topics. A topic is created before its
     * partitions have leaders on the broker; a producer that writes in that window gets NOT_LEADER_OR_FOLLOWER, and an
     * idempotent one retrying it was seen stuck on OUT_OF_ORDER_SEQUENCE_NUMBER until its 120 s delivery timeout
     * (KafkaRoundTripTest on a loaded machine). Polls every 50 ms; no spinning.
     */
    static void awaitLeaders(Admin admin, List<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String missing = "";
        while (System.nanoTime() < deadline) {
            try {
                Map<String, TopicDescription> described = admin.describeTopics(topics).allTopicNames()
                        .get(10, TimeUnit.SECONDS);
                missing = described.values().stream()
                        .flatMap(t -> t.partitions().stream().filter(p -> p.leader() == null || p.leader().isEmpty())
                                .map(p -> t.name() + "-" + p.partition()))
                        .reduce((x, y) -> x + ", " + y).orElse("");
                if (missing.isEmpty() && described.size() == topics.size()) {
                    return;
                }
            } catch (ExecutionException | TimeoutException e) {
                missing = e.getMessage(); // not known to the broker yet: ask again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for partition leaders", e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for partition leaders", e);
            }
        }
        throw new IllegalStateException("No leader within " + timeout.toSeconds() + " s for " + missing);
    }
}
