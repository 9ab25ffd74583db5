package io.endostream.local.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.endostream.local.stream.FrameProducers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Frames through a real KRaft broker and back, decoded with contracts' FrameCodec. */
class FrameRoundTripTest {

    private static EmbeddedKafkaCluster kafka;
    private static long startNanos;

    @BeforeAll
    static void startBroker() {
        long t0 = System.nanoTime();
        kafka = EmbeddedKafkaCluster.start();
        startNanos = System.nanoTime() - t0;
        kafka.createEndoStreamTopics(4);
    }

    @AfterAll
    static void stopBroker() {
        long t0 = System.nanoTime();
        kafka.close();
        System.out.printf("[broker fixture] start %.2f s, stop %.2f s%n", startNanos / 1e9, (System.nanoTime() - t0) / 1e9);
    }

    @Test
    void simulatedStreamsComeBackInOrderPerStream() throws Exception {
        int streams = 3;
        int framesPerStream = 4;
        Map<String, List<byte[]>> sent = new LinkedHashMap<>();
        try (KafkaProducer<byte[], byte[]> producer = FrameProducers.create(kafka.bootstrapServers(), "round-trip")) {
            List<EndoscopySimulator> simulators = new ArrayList<>();
            for (int s = 1; s <= streams; s++) {
                simulators.add(new EndoscopySimulator(s, 160, 128));
                sent.put("sim-" + s, new ArrayList<>());
            }
            // Interleave the streams as live sources would.
            for (int i = 0; i < framesPerStream; i++) {
                for (int s = 1; s <= streams; s++) {
                    try (SimulatedFrame frame = simulators.get(s - 1).next()) {
                        String streamId = "sim-" + s;
                        byte[] jpeg = frame.jpeg(85);
                        Frame out = new Frame(streamId, streamId + "-" + i, i, 1_700_000_000_000L + i * 40L,
                                ImageFormat.JPEG, 160, 128, jpeg);
                        producer.send(FrameProducers.toRecord(Topics.FRAMES, FrameCodec.encode(out))).get();
                        sent.get(streamId).add(jpeg);
                    }
                }
            }
            simulators.forEach(EndoscopySimulator::close);
        }

        List<ConsumerRecord<byte[], byte[]>> records = consume(Topics.FRAMES, streams * framesPerStream);
        Map<String, List<Frame>> received = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Frame frame = FrameCodec.decode(r.key(), r.value(), headers(r), r.topic(), r.partition(), r.offset(),
                    r.timestamp());
            received.computeIfAbsent(frame.streamId(), k -> new ArrayList<>()).add(frame);
        }
        assertEquals(sent.keySet(), received.keySet());
        for (String streamId : sent.keySet()) {
            List<Frame> frames = received.get(streamId);
            assertEquals(framesPerStream, frames.size(), streamId);
            for (int i = 0; i < framesPerStream; i++) {
                Frame frame = frames.get(i);
                assertEquals(i, frame.sequence(), streamId + " out of order");
                assertEquals(streamId + "-" + i, frame.frameId());
                assertEquals(ImageFormat.JPEG, frame.format());
                assertEquals(1_700_000_000_000L + i * 40L, frame.captureTimeMillis());
                assertArrayEquals(sent.get(streamId).get(i), frame.image(), streamId + " frame " + i);
            }
        }
    }

    @Test
    void aKeyAndJpegBytesAloneDecodeLikeKcatSendsThem() throws Exception {
        String topic = "kcat-style-frames";
        kafka.createTopics(1, topic);
        byte[] jpeg;
        try (EndoscopySimulator simulator = new EndoscopySimulator(7, 160, 128);
             SimulatedFrame frame = simulator.next()) {
            jpeg = frame.jpeg(90);
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        long offset;
        try (KafkaProducer<byte[], byte[]> plain =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            plain.send(new ProducerRecord<>(topic, "room-3".getBytes(StandardCharsets.UTF_8), jpeg)).get();
            offset = plain.send(new ProducerRecord<>(topic, "room-3".getBytes(StandardCharsets.UTF_8), jpeg))
                    .get().offset();
        }
        List<ConsumerRecord<byte[], byte[]>> records = consume(topic, 2);
        ConsumerRecord<byte[], byte[]> r = records.get(1);
        assertTrue(headers(r).isEmpty(), "a plain producer sends no headers");
        Frame frame = FrameCodec.decode(r.key(), r.value(), headers(r), r.topic(), r.partition(), r.offset(),
                r.timestamp());
        assertEquals("room-3", frame.streamId());
        assertEquals(ImageFormat.JPEG, frame.format());
        assertEquals(offset, frame.sequence(), "sequence defaults to the offset");
        assertEquals(r.timestamp(), frame.captureTimeMillis(), "capture time defaults to the record timestamp");
        assertEquals(topic + "-0-" + offset, frame.frameId());
        assertArrayEquals(jpeg, frame.image());
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(EmbeddedKafkaCluster.MAX_MESSAGE_BYTES));
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        assertEquals(expected, out.size(), "records read back from " + topic);
        return out;
    }

    private static Map<String, byte[]> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), h.value());
        }
        return headers;
    }
}
