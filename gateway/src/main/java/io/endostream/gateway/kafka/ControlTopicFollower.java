package io.endostream.gateway.kafka;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads control topics from the beginning (read_committed, no consumer group: every reader sees everything):
 * {@link #catchUp} to their current end (the rebuild of a restarted gateway), then {@link #follow} in a thread of its
 * own.
 */
public final class ControlTopicFollower implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ControlTopicFollower.class);

    /** Receives every record, in order per topic; a null value is a tombstone. */
    public interface Sink {
        void apply(String topic, String key, byte[] value);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private volatile boolean running = true;
    private volatile Instant lastPoll = Instant.EPOCH;
    private Thread thread;

    public ControlTopicFollower(String bootstrapServers, List<String> topics, String clientId) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        for (String topic : topics) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(15));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("control topic " + topic + " does not exist");
            }
            for (PartitionInfo info : infos) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads every topic up to its end as of now; returns how many records were applied. */
    public long catchUp(Sink sink, Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        Instant deadline = Instant.now().plus(timeout);
        long applied = 0;
        while (!reached(end)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("could not read the control topics to their end within " + timeout);
            }
            applied += pollOnce(sink, Duration.ofMillis(200), Set.of());
        }
        return applied;
    }

    /** Keeps applying new records of {@code topics} (others are skipped) in a daemon thread until closed. */
    public void follow(Sink sink, Set<String> topics) {
        thread = new Thread(() -> {
            while (running) {
                try {
                    pollOnce(sink, Duration.ofMillis(500), topics);
                } catch (WakeupException e) {
                    if (running) {
                        LOG.warn("control-topic follower woken up unexpectedly");
                    }
                } catch (RuntimeException e) {
                    LOG.warnf("control-topic follower: %s", e.toString());
                }
            }
        }, "control-topic-follower");
        thread.setDaemon(true);
        thread.start();
    }

    private long pollOnce(Sink sink, Duration timeout, Set<String> only) {
        long n = 0;
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            if (!only.isEmpty() && !only.contains(r.topic())) {
                continue;
            }
            try {
                sink.apply(r.topic(), r.key(), r.value());
                n++;
            } catch (RuntimeException e) {
                LOG.warnf("skipping unreadable record %s-%d@%d (key %s): %s", r.topic(), r.partition(), r.offset(),
                        r.key(), e.getMessage());
            }
        }
        lastPoll = Instant.now();
        return n;
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** When the follower last completed a poll (the broker answered). */
    public Instant lastPoll() {
        return lastPoll;
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        if (thread != null) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumer.close(Duration.ofSeconds(5));
    }
}
