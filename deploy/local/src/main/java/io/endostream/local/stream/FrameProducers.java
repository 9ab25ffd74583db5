package io.endostream.local.stream;

import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka producers configured for frames, and the bridge from contracts' {@link WireRecord} to Kafka records. */
public final class FrameProducers {

    private FrameProducers() {
    }

    /**
     * A producer for frames up to {@link Topics#MAX_FRAME_BYTES}: sends at once ({@code linger.ms=0}; Kafka 4 lingers
     * 5 ms by default), waits for all in-sync replicas and is idempotent, so retries neither duplicate nor reorder a
     * stream's frames.
     */
    public static KafkaProducer<byte[], byte[]> create(String bootstrapServers, String clientId) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.MAX_FRAME_BYTES + 64 * 1024));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(4L * Topics.MAX_FRAME_BYTES));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"); // JPEG does not compress further
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends asynchronously, counting the outcome in {@code stats}. */
    public static void send(KafkaProducer<byte[], byte[]> producer, String topic, WireRecord record, StreamStats stats) {
        stats.countSent(record.value().length);
        producer.send(toRecord(topic, record), (metadata, error) -> {
            if (error == null) {
                stats.countAcknowledged();
            } else {
                stats.countFailed(error);
            }
        });
    }

    /** The Kafka record for a contracts wire record (key, value and headers in their order). */
    public static ProducerRecord<byte[], byte[]> toRecord(String topic, WireRecord record) {
        RecordHeaders headers = new RecordHeaders();
        for (Map.Entry<String, byte[]> header : record.headers().entrySet()) {
            headers.add(header.getKey(), header.getValue());
        }
        return new ProducerRecord<>(topic, null, null, record.key(), record.value(), headers);
    }
}
