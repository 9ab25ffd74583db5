package io.endostream.inference.support;

import io.endostream.contracts.WireRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

/** Sends frame records like a capture bridge (or kcat) would (test helper). */
public final class FrameSender implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public FrameSender(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(17 * 1024 * 1024));
        producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Key + value only, no headers: what {@code kcat -P -k <stream> frame.jpg} sends. */
    public RecordMetadata send(String streamId, byte[] value) {
        return send(streamId == null ? null : streamId.getBytes(StandardCharsets.UTF_8), value, Map.of());
    }

    public RecordMetadata send(WireRecord record) {
        return send(record.key(), record.value(), record.headers());
    }

    public RecordMetadata send(byte[] key, byte[] value, Map<String, byte[]> headers) {
        List<org.apache.kafka.common.header.Header> list = new ArrayList<>();
        headers.forEach((k, v) -> list.add(new RecordHeader(k, v)));
        try {
            return producer.send(new ProducerRecord<>(topic, null, key, value, list)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("cannot send a frame: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
