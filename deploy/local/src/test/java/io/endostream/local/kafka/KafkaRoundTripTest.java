package io.endostream.local.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedDatasets;
import io.endostream.local.simulator.SimulatedFrame;
import io.endostream.local.stream.FrameProducers;
import io.endostream.local.stream.RecordingPublisher;
import io.endostream.local.stream.SimulatedStreams;
import io.endostream.local.stream.StreamStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Frames through a real KRaft broker (started by the services' test resource) and back, decoded with contracts'
 * FrameCodec. One broker for the class: starting one costs seconds.
 */
class KafkaRoundTripTest {

    private static KafkaBrokerTestResource resource;
    private static Map<String, String> config;
    private static long startNanos;

    @BeforeAll
    static void startBroker() {
        long t0 = System.nanoTime();
        resource = new KafkaBrokerTestResource();
        config = resource.start();
        startNanos = System.nanoTime() - t0;
    }

    @AfterAll
    static void stopBroker() {
        long t0 = System.nanoTime();
        resource.stop();
        System.out.printf("[broker fixture] start+topics %.2f s, stop %.2f s%n", startNanos / 1e9,
                (System.nanoTime() - t0) / 1e9);
        assertThrows(IllegalStateException.class, KafkaBrokerTestResource::bootstrapServers,
                "no address once stopped");
    }

    @Test
    void testResourcePublishesTheAddressAndCreatesEveryTopic() throws Exception {
        assertEquals(Map.of("kafka.bootstrap.servers", KafkaBrokerTestResource.bootstrapServers()), config);
        var admin = KafkaBrokerTestResource.cluster().admin();
        Map<String, TopicDescription> topics = admin.describeTopics(List.of(Topics.FRAMES, Topics.MASKS,
                Topics.FRAMES_DLQ, Topics.MASKS_SHADOW, Topics.MODELS, Topics.ROLLOUTS, Topics.TELEMETRY))
                .allTopicNames().get();
        for (String data : EndoStreamTopics.DATA_TOPICS) {
            assertEquals(KafkaBrokerTestResource.PARTITIONS, topics.get(data).partitions().size(), data);
        }
        ConfigResource frames = new ConfigResource(ConfigResource.Type.TOPIC, Topics.FRAMES);
        ConfigResource rollouts = new ConfigResource(ConfigResource.Type.TOPIC, Topics.ROLLOUTS);
        Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(frames, rollouts)).all().get();
        assertEquals(String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES),
                configs.get(frames).get("max.message.bytes").value());
        assertEquals("delete", configs.get(frames).get("cleanup.policy").value());
        assertEquals("compact", configs.get(rollouts).get("cleanup.policy").value());
    }

    @Test
    void simulatedStreamsComeBackInOrderPerStream() throws Exception {
        String topic = "round-trip-streams";
        KafkaBrokerTestResource.cluster().createTopics(4, topic);
        SimulatedStreams.Plan plan = new SimulatedStreams.Plan(3, 25, 0.16, 160, 128, 9, 85, topic);
        StreamStats stats;
        try (KafkaProducer<byte[], byte[]> producer =
                FrameProducers.create(KafkaBrokerTestResource.bootstrapServers(), "round-trip")) {
            stats = SimulatedStreams.run(producer, plan, new AtomicBoolean(), new StreamStats(), "run7");
        }
        assertEquals(12, stats.acknowledged(), stats.toString());
        assertEquals(0, stats.failed());

        Map<String, List<Frame>> received = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : consume(topic, 12)) {
            Frame frame = decode(r);
            received.computeIfAbsent(frame.streamId(), k -> new ArrayList<>()).add(frame);
        }
        assertEquals(List.of("sim-1", "sim-2", "sim-3"), received.keySet().stream().sorted().toList());
        for (var entry : received.entrySet()) {
            List<Frame> frames = entry.getValue();
            assertEquals(4, frames.size(), entry.getKey());
            for (int i = 0; i < frames.size(); i++) {
                Frame frame = frames.get(i);
                assertEquals(i, frame.sequence(), entry.getKey() + " out of order");
                assertEquals(entry.getKey() + "-run7-" + i, frame.frameId());
                assertEquals(ImageFormat.JPEG, frame.format());
                if (i > 0) {
                    assertTrue(frame.captureTimeMillis() >= frames.get(i - 1).captureTimeMillis());
                }
                Mat image = Imgcodecs.imdecode(new MatOfByte(frame.image()), Imgcodecs.IMREAD_COLOR);
                assertEquals(160, image.cols());
                assertEquals(128, image.rows());
                image.release();
            }
        }
        // The simulated frames are the simulator's: stream sim-1 uses seed 9 + 1.
        try (EndoscopySimulator simulator = new EndoscopySimulator(10, 160, 128);
             SimulatedFrame first = simulator.next()) {
            assertArrayEquals(first.jpeg(85), received.get("sim-1").get(0).image());
        }
    }

    /** Sequences restart at 0 on every run; frame ids must not, or deduplicating on ce_frameid drops a later run. */
    @Test
    void frameIdsAreUniqueAcrossRuns(@TempDir Path dir) throws Exception {
        String topic = "two-runs";
        KafkaBrokerTestResource.cluster().createTopics(2, topic);
        SimulatedStreams.Plan plan = new SimulatedStreams.Plan(2, 50, 0.04, 96, 64, 3, 80, topic); // 2 frames each
        SimulatedDatasets.writeUnlabelled(dir, 2, 4, 96, 64);
        try (KafkaProducer<byte[], byte[]> producer =
                FrameProducers.create(KafkaBrokerTestResource.bootstrapServers(), "two-runs")) {
            for (int run = 0; run < 2; run++) {
                SimulatedStreams.run(producer, plan, new AtomicBoolean());
                new RecordingPublisher(producer, topic, "room-5", 90, System.err)
                        .publishImages(dir, 100, false, new AtomicBoolean());
            }
        }
        List<ConsumerRecord<byte[], byte[]>> records = consume(topic, 12); // per run: 2 streams x 2 + 2 images
        java.util.Set<String> frameIds = new java.util.HashSet<>();
        java.util.Set<String> ceIds = new java.util.HashSet<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Frame frame = decode(r);
            assertTrue(frame.sequence() < 2, "sequences restart with each run");
            frameIds.add(frame.frameId());
            ceIds.add(frame.streamId() + " " + new String(headers(r).get("ce_id"), StandardCharsets.UTF_8));
        }
        assertEquals(12, frameIds.size(), "every frame id differs: " + frameIds);
        assertEquals(12, ceIds.size(), "ce_source + ce_id identify one event");
    }

    @Test
    void aKeyAndJpegBytesAloneDecodeLikeKcatSendsThem() throws Exception {
        String topic = "kcat-style-frames";
        KafkaBrokerTestResource.cluster().createTopics(1, topic);
        byte[] jpeg;
        try (EndoscopySimulator simulator = new EndoscopySimulator(7, 160, 128);
             SimulatedFrame frame = simulator.next()) {
            jpeg = frame.jpeg(90);
        }
        // What `kcat -P -b HOST -t TOPIC -k room-3 frame.jpg` sends: a key and the file's bytes, no headers.
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers());
        long offset;
        try (KafkaProducer<byte[], byte[]> plain =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            plain.send(new ProducerRecord<>(topic, "room-3".getBytes(StandardCharsets.UTF_8), jpeg)).get();
            offset = plain.send(new ProducerRecord<>(topic, "room-3".getBytes(StandardCharsets.UTF_8), jpeg))
                    .get().offset();
        }
        ConsumerRecord<byte[], byte[]> r = consume(topic, 2).get(1);
        assertTrue(headers(r).isEmpty(), "a plain producer sends no headers");
        Frame frame = decode(r);
        assertEquals("room-3", frame.streamId());
        assertEquals(ImageFormat.JPEG, frame.format());
        assertEquals(offset, frame.sequence(), "sequence defaults to the offset");
        assertEquals(r.timestamp(), frame.captureTimeMillis(), "capture time defaults to the record timestamp");
        assertEquals(topic + "-0-" + offset, frame.frameId());
        assertArrayEquals(jpeg, frame.image());
    }

    @Test
    void framesFarAboveKafkasDefaultOneMebibyteLimitPassThrough() throws Exception {
        String topic = "large-frames";
        KafkaBrokerTestResource.cluster().createTopics(1, topic);
        byte[] image = new byte[12 * 1024 * 1024];
        new Random(3).nextBytes(image);
        image[0] = (byte) 0xFF; // JPEG magic: FrameCodec sniffs the format, the payload is opaque to Kafka
        image[1] = (byte) 0xD8;
        image[2] = (byte) 0xFF;
        Frame large = new Frame("room-9", "room-9-0", 0, 1L, ImageFormat.JPEG, 3840, 2160, image);
        try (KafkaProducer<byte[], byte[]> producer =
                FrameProducers.create(KafkaBrokerTestResource.bootstrapServers(), "large")) {
            producer.send(FrameProducers.toRecord(topic, FrameCodec.encode(large))).get();
        }
        Frame back = decode(consume(topic, 1).get(0));
        assertEquals("room-9", back.streamId());
        assertArrayEquals(image, back.image());
    }

    @Test
    void recordedVideoAndImageFolderArePublishedAsOneOrderedStreamEach(@TempDir Path dir) throws Exception {
        String topic = "recordings";
        KafkaBrokerTestResource.cluster().createTopics(2, topic);
        Path video = dir.resolve("procedure.avi");
        SimulatedDatasets.writeVideo(video, 0.24, 5, 128, 96); // 6 frames
        SimulatedDatasets.writeLabelled(dir.resolve("kvasir"), 3, 5, 128, 96);
        try (KafkaProducer<byte[], byte[]> producer =
                FrameProducers.create(KafkaBrokerTestResource.bootstrapServers(), "recordings")) {
            StreamStats fromVideo = new RecordingPublisher(producer, topic, "room-1", 90, System.err)
                    .publishVideo(video, 100, false, new AtomicBoolean());
            StreamStats fromImages = new RecordingPublisher(producer, topic, "room-2", 90, System.err)
                    .publishImages(dir.resolve("kvasir").resolve("images"), 100, false, new AtomicBoolean());
            assertEquals(6, fromVideo.acknowledged(), fromVideo.toString());
            assertEquals(3, fromImages.acknowledged(), fromImages.toString());
        }
        Map<String, List<Frame>> byStream = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : consume(topic, 9)) {
            Frame frame = decode(r);
            byStream.computeIfAbsent(frame.streamId(), k -> new ArrayList<>()).add(frame);
        }
        assertEquals(6, byStream.get("room-1").size());
        assertEquals(3, byStream.get("room-2").size());
        for (List<Frame> frames : byStream.values()) {
            for (int i = 0; i < frames.size(); i++) {
                assertEquals(i, frames.get(i).sequence());
                assertEquals(ImageFormat.JPEG, frames.get(i).format());
                assertFalse(Imgcodecs.imdecode(new MatOfByte(frames.get(i).image()), Imgcodecs.IMREAD_COLOR).empty());
            }
        }
        // Image files go out as they are, byte for byte.
        assertArrayEquals(java.nio.file.Files.readAllBytes(dir.resolve("kvasir/images/frame_00000.jpg")),
                byStream.get("room-2").get(0).image());
    }

    private static Frame decode(ConsumerRecord<byte[], byte[]> r) {
        return FrameCodec.decode(r.key(), r.value(), headers(r), r.topic(), r.partition(), r.offset(), r.timestamp());
    }

    private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int expected) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(EndoStreamTopics.MAX_MESSAGE_BYTES));
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
