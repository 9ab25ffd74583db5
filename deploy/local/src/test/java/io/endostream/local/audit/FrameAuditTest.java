package io.endostream.local.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.endostream.contracts.RecordHeaders;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The audit on a real broker: a hand-made set of outcomes with one of each fault it must report. */
class FrameAuditTest {

    @Test
    void reportsMissingDuplicatedAndReorderedOutcomes() throws Exception {
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
            kafka.createTopics(2, "audit.frames", "audit.masks", "audit.dlq");
            long since = System.currentTimeMillis() - 1;
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                // room-a: frames 0..3; room-b: frames 0..2 (frame ids by header), one kcat-style frame with none
                for (int i = 0; i < 4; i++) {
                    frame(producer, "room-a", "a-" + i, i);
                }
                frame(producer, "room-b", "b-0", 0);
                frame(producer, "room-b", "b-1", 1);
                RecordMetadata b2 = frame(producer, "room-b", "b-2", 2);
                RecordMetadata bare = producer.send(new ProducerRecord<>("audit.frames", bytes("room-c"),
                        bytes("jpeg"))).get();
                mask(producer, "room-a", "a-0", 0);
                mask(producer, "room-a", "a-1", 1);
                mask(producer, "room-a", "a-1", 1); // a duplicate
                mask(producer, "room-a", "a-0", 0); // a late duplicate: counted as such, not as an order break
                mask(producer, "room-a", "a-3", 3); // a-2 never gets an outcome
                mask(producer, "room-b", "b-1", 1);
                mask(producer, "room-b", "b-0", 0); // out of frame order
                mask(producer, "room-c", "audit.frames-" + bare.partition() + "-" + bare.offset(), bare.offset());
                ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>("audit.dlq", bytes("room-b"), bytes("jpeg"));
                dead.headers().add(RecordHeaders.DEAD_LETTER_TOPIC, bytes("audit.frames"))
                        .add(RecordHeaders.DEAD_LETTER_PARTITION, bytes(String.valueOf(b2.partition())))
                        .add(RecordHeaders.DEAD_LETTER_OFFSET, bytes(String.valueOf(b2.offset())));
                producer.send(dead).get();
            }
            FrameAudit.Report report = new FrameAudit(kafka.bootstrapServers(), "audit.frames", "audit.masks",
                    "audit.dlq").audit(since, System.currentTimeMillis() + 1, Duration.ofSeconds(3));

            assertEquals(8, report.frames());
            assertEquals(6, report.masked());
            assertEquals(1, report.deadLettered());
            assertEquals(1, report.unaccounted());
            assertEquals(2, report.duplicateMasks());
            assertEquals(1, report.outOfOrder());
            assertEquals(1, report.streams().get("room-b").outOfOrder());
            assertEquals(0, report.streams().get("room-a").outOfOrder());
            assertFalse(report.everyFrameAccounted());
            assertTrue(report.examples().stream().anyMatch(e -> e.contains("a-2")), report.examples().toString());
        }
    }

    private static RecordMetadata frame(KafkaProducer<byte[], byte[]> producer, String stream, String id, long seq)
            throws Exception {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("audit.frames", bytes(stream), bytes("jpeg"));
        r.headers().add(RecordHeaders.FRAME_ID, bytes(id)).add(RecordHeaders.SEQUENCE, bytes(String.valueOf(seq)));
        return producer.send(r).get();
    }

    private static void mask(KafkaProducer<byte[], byte[]> producer, String stream, String id, long seq)
            throws Exception {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>("audit.masks", bytes(stream), bytes("png"));
        r.headers().add(RecordHeaders.FRAME_ID, bytes(id)).add(RecordHeaders.SEQUENCE, bytes(String.valueOf(seq)));
        producer.send(r).get();
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
