package io.endostream.inference.shadow;

import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link ShadowPublisher} on its own plain {@link KafkaProducer} (the framework-free pipeline in tests and the
 * benchmark; the Quarkus service uses the SmallRye channel {@code shadow-masks}). Its own producer, so shadow
 * records never queue in front of primary masks; acks=1 and a short linger: best effort, throughput over latency.
 */
public final class KafkaShadowPublisher implements ShadowPublisher, AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    public KafkaShadowPublisher(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "inference-shadow-masks");
        this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    @Override
    public CompletionStage<Void> publishShadowMask(WireRecord record) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        List<Header> headers = new ArrayList<>(record.headers().size());
        record.headers().forEach((name, value) -> headers.add(new RecordHeader(name, value)));
        producer.send(new ProducerRecord<>(topic, null, record.key(), record.value(), headers), (metadata, error) -> {
            if (error == null) {
                acked.complete(null);
            } else {
                acked.completeExceptionally(error);
            }
        });
        return acked;
    }

    @Override
    public void close() {
        producer.close();
    }
}
