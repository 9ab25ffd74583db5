package io.endostream.inference.stream;

import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Feeds {@code endoscopy.frames} into a {@link FramePipeline} with a plain {@link KafkaConsumer} and commits an
 * offset only after its frame (and every earlier frame of the partition) was acknowledged, i.e. its mask or dead
 * letter is on the broker. The Quarkus service uses SmallRye's connector with the throttled commit strategy for
 * the same guarantee; this class serves the framework-free pipeline (restart test, benchmark).
 */
public final class KafkaFrameConsumer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaFrameConsumer.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final FramePipeline pipeline;
    private final OffsetTracker offsets = new OffsetTracker();
    private final Thread thread;
    private volatile boolean running = true;
    private final Duration revokeTimeout;
    private volatile boolean waitOnRevoke = true; // false after stop(false): leave like a crash

    public KafkaFrameConsumer(String bootstrapServers, String groupId, String topic, FramePipeline pipeline) {
        this(bootstrapServers, groupId, topic, pipeline, Duration.ofSeconds(10));
    }

    /** @param revokeTimeout how long a revoked partition's frames in flight are waited for before it goes */
    public KafkaFrameConsumer(String bootstrapServers, String groupId, String topic, FramePipeline pipeline,
                              Duration revokeTimeout) {
        this.revokeTimeout = revokeTimeout;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_FRAME_BYTES + 64 * 1024));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(4 * Topics.MAX_FRAME_BYTES));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "64");
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.pipeline = pipeline;
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // let the revoked partitions' frames in flight reach the broker and commit them, so the new owner
                // does not redo them (bounded: a wedged frame must not hold the group)
                long deadline = System.nanoTime() + (waitOnRevoke ? revokeTimeout.toNanos() : 0);
                try {
                    while (offsets.pendingCount(partitions) > 0 && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Map<TopicPartition, OffsetAndMetadata> done = offsets.positions(partitions);
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
                offsets.revoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            }
        });
        this.thread = new Thread(this::loop, "frame-consumer-" + groupId);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(50));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    offsets.received(tp, r.offset());
                    IncomingFrame frame = new IncomingFrame(new WireRecord(r.key(), r.value(), headers(r)), r.topic(),
                            r.partition(), r.offset(), r.timestamp(), System.nanoTime(), new IncomingFrame.Acknowledgement() {
                        @Override
                        public void ack() {
                            offsets.acknowledged(tp, r.offset());
                        }

                        @Override
                        public void nack(Throwable cause) {
                            // left pending: never committed, redelivered after a restart
                        }
                    });
                    try {
                        pipeline.submit(frame).toCompletableFuture().get(); // hold back while the pipeline is full
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException(e.getCause());
                    }
                }
                commitAsync();
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            LOG.error("frame consumer stopped", e);
        } finally {
            commit();
            consumer.close();
        }
    }

    private void commit() {
        Map<TopicPartition, OffsetAndMetadata> ready = offsets.committable();
        if (!ready.isEmpty()) {
            consumer.commitSync(ready);
        }
    }

    private void commitAsync() {
        Map<TopicPartition, OffsetAndMetadata> ready = offsets.committable();
        if (!ready.isEmpty()) {
            consumer.commitAsync(ready, (committed, error) -> {
                if (error != null) {
                    LOG.warnf("offset commit failed (the frames will be redelivered after a restart): %s", error.getMessage());
                }
            });
        }
    }

    static Map<String, byte[]> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value());
        }
        return headers;
    }

    /**
     * Stops polling and commits what has been acknowledged so far; frames still in the pipeline stay uncommitted
     * (as after a crash) unless {@code drain} waits for them first.
     */
    public void stop(boolean drain) throws InterruptedException {
        waitOnRevoke = drain;
        if (drain) {
            pipeline.awaitIdle(Duration.ofSeconds(30));
        }
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(30));
    }

    @Override
    public void close() throws InterruptedException {
        stop(true);
    }
}
