package io.endostream.inference.stream;

import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link OutcomePublisher} on a plain {@link KafkaProducer} (the Quarkus service publishes through SmallRye
 * emitters instead; this one serves the framework-free pipeline in tests and the benchmark).
 * acks=all, idempotence on (order kept per partition), linger.ms=0 for latency, max.request.size for big masks.
 */
public final class KafkaOutcomePublisher implements OutcomePublisher, AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String maskTopic;
    private final String deadLetterTopic;

    public KafkaOutcomePublisher(String bootstrapServers, String maskTopic, String deadLetterTopic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_FRAME_BYTES + 64 * 1024));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "inference-outcomes");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.maskTopic = maskTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public CompletionStage<Void> publishMask(WireRecord mask) {
        return send(maskTopic, mask);
    }

    @Override
    public CompletionStage<Void> publishDeadLetter(WireRecord deadLetter) {
        return send(deadLetterTopic, deadLetter);
    }

    private CompletionStage<Void> send(String topic, WireRecord record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers(record.headers())),
                (metadata, error) -> {
                    if (error == null) {
                        acked.complete(null);
                    } else {
                        acked.completeExceptionally(error);
                    }
                });
        return acked;
    }

    static List<org.apache.kafka.common.header.Header> headers(Map<String, byte[]> headers) {
        List<org.apache.kafka.common.header.Header> list = new ArrayList<>(headers.size());
        headers.forEach((name, value) -> list.add(new RecordHeader(name, value)));
        return list;
    }

    @Override
    public void close() {
        producer.close();
    }
}
