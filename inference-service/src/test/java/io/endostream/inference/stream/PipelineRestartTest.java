package io.endostream.inference.stream;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.support.FrameSender;
import io.endostream.inference.support.MaskQuality;
import io.endostream.inference.support.PipelineHarness;
import io.endostream.inference.support.TestModels;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.Native;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The framework-free pipeline on a real KRaft broker: a consumer stopped mid-stream (frames still in flight, as
 * in a crash) and a new one in the same group leave every frame with a mask or a dead letter.
 */
class PipelineRestartTest {

    static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void broker() {
        TestModels.fixture();
        Native.loadOpenCv();
        kafka = EmbeddedKafkaCluster.start();
        kafka.createTopics(4, Topics.FRAMES, Topics.MASKS, Topics.FRAMES_DLQ);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyFrameEndsAsMaskOrDeadLetterAcrossAConsumerRestart() throws Exception {
        int streams = 3;
        int framesPerStream = 16;
        Set<String> frameIds = new HashSet<>();
        Map<String, Mat> truth = new HashMap<>();
        try (FrameSender sender = new FrameSender(kafka.bootstrapServers(), Topics.FRAMES)) {
            for (int s = 0; s < streams; s++) {
                try (EndoscopySimulator sim = new EndoscopySimulator(40 + s, 320, 256)) {
                    for (int i = 0; i < framesPerStream; i++) {
                        try (SimulatedFrame f = sim.next()) {
                            boolean broken = i == 5; // one truncated JPEG per stream: a dead letter, not a gap
                            byte[] jpeg = f.jpeg(90);
                            byte[] value = broken ? java.util.Arrays.copyOf(jpeg, jpeg.length / 2) : jpeg;
                            RecordMetadata m = sender.send("room-" + s, value);
                            String id = FrameCodec.defaultFrameId(m.topic(), m.partition(), m.offset());
                            frameIds.add(id);
                            if (!broken) {
                                truth.put(id, MaskQuality.decode(f.maskPng()));
                            }
                        }
                    }
                }
            }
        }
        PipelineSettings settings = PipelineSettings.defaults().withLossless(true);
        SessionSettings session = SessionSettings.cpu(1, 4);
        try (PipelineHarness first = new PipelineHarness(kafka.bootstrapServers(), TestModels.fixture(), settings,
                session, Duration.ZERO);
             TopicReader masks = new TopicReader(kafka.bootstrapServers(), Topics.MASKS)) {
            KafkaFrameConsumer consumer = first.consume("restart-test");
            masks.await(r -> true, 10, Duration.ofSeconds(60));
            consumer.stop(false); // mid-stream, frames in flight, nothing drained: like a crash
        }
        try (PipelineHarness second = new PipelineHarness(kafka.bootstrapServers(), TestModels.fixture(),
                PipelineSettings.defaults().withLossless(true), session, Duration.ZERO);
             KafkaFrameConsumer consumer = second.consume("restart-test");
             TopicReader masks = new TopicReader(kafka.bootstrapServers(), Topics.MASKS);
             TopicReader deadLetters = new TopicReader(kafka.bootstrapServers(), Topics.FRAMES_DLQ)) {
            List<ConsumerRecord<byte[], byte[]>> letters = deadLetters.await(r -> true, streams, Duration.ofSeconds(60));
            int expectedMasks = frameIds.size() - streams;
            Set<String> masked = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : masks.await(r -> true, expectedMasks, Duration.ofSeconds(90))) {
                masked.add(TopicReader.header(r, RecordHeaders.FRAME_ID));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (masked.size() < expectedMasks && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : masks.await(r -> true, Integer.MAX_VALUE, Duration.ofSeconds(1))) {
                    masked.add(TopicReader.header(r, RecordHeaders.FRAME_ID));
                }
            }
            Set<String> ended = new HashSet<>(masked);
            for (ConsumerRecord<byte[], byte[]> r : letters) {
                ended.add(FrameCodec.defaultFrameId(Topics.FRAMES, Integer.parseInt(
                        TopicReader.header(r, RecordHeaders.DEAD_LETTER_PARTITION)),
                        Long.parseLong(TopicReader.header(r, RecordHeaders.DEAD_LETTER_OFFSET))));
            }
            Set<String> missing = new HashSet<>(frameIds);
            missing.removeAll(ended);
            assertTrue(missing.isEmpty(), "frames with neither mask nor dead letter: " + missing);
            assertEquals(streams, letters.size() >= streams ? streams : letters.size(), "one dead letter per stream");
            assertTrue(truth.keySet().containsAll(masked), "masks only for decodable frames");
        } finally {
            truth.values().forEach(Mat::release);
        }
    }
}
