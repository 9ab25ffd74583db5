package io.endostream.inference.rollout;

import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.StreamAssignment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Assignments shared through the compacted {@code endostream.assignments} topic: reads come from the local table
 * that {@link RolloutFollower} keeps in step with the topic; writes update the table at once and are produced
 * asynchronously (idempotent producer, acks=all). A failed write is logged and counted; the next touch re-sends it.
 */
public final class KafkaAssignmentStore implements AssignmentStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KafkaAssignmentStore.class);

    private final InMemoryAssignmentStore table;
    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final AtomicLong writeFailures = new AtomicLong();

    public KafkaAssignmentStore(String bootstrapServers, String topic, Duration ttl, Clock clock) {
        this.table = new InMemoryAssignmentStore(ttl, clock);
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.CLIENT_ID_CONFIG, "endostream-assignments"),
                new StringSerializer(), new ByteArraySerializer());
    }

    @Override
    public StreamAssignment get(String streamId) {
        return table.get(streamId);
    }

    @Override
    public void put(StreamAssignment assignment) {
        table.put(assignment);
        producer.send(new ProducerRecord<>(topic, assignment.streamId(), ControlJson.write(assignment)), (md, e) -> {
            if (e != null) {
                writeFailures.incrementAndGet();
                LOG.warnf("could not record the assignment of stream %s: %s", assignment.streamId(), e.getMessage());
            }
        });
    }

    /** Applies a record of the topic (called by the follower). */
    public void applyRemote(String streamId, byte[] value) {
        table.applyRemote(streamId, value == null ? null : ControlJson.read(value, StreamAssignment.class));
    }

    public InMemoryAssignmentStore table() {
        return table;
    }

    public long writeFailures() {
        return writeFailures.get();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
