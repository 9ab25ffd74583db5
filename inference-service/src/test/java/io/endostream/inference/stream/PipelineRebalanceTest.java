package io.endostream.inference.stream;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.support.FrameSender;
import io.endostream.inference.support.PipelineHarness;
import io.endostream.inference.support.TestModels;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.Native;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two pipelines in one consumer group on a real broker: the second joins mid-stream, the first leaves gracefully
 * mid-stream. Revoked partitions' frames in flight are finished and committed before they move, so every frame
 * has exactly one mask and each stream's masks arrive in frame order.
 */
class PipelineRebalanceTest {

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
    void aJoinAndAGracefulLeaveMidStreamCostNoDuplicateAndNoReorder() throws Exception {
        int streams = 4;
        int perStream = 40;
        try (FrameSender sender = new FrameSender(kafka.bootstrapServers(), Topics.FRAMES);
             EndoscopySimulator sim = new EndoscopySimulator(77, 160, 128)) {
            for (int i = 0; i < perStream; i++) {
                for (int s = 0; s < streams; s++) {
                    try (SimulatedFrame f = sim.next()) {
                        sender.send(FrameCodec.encode(new Frame("reb-" + s, "reb-" + s + "-" + i, i,
                                System.currentTimeMillis(), ImageFormat.JPEG, 0, 0, f.jpeg(80))));
                    }
                }
            }
        }
        PipelineSettings settings = PipelineSettings.defaults().withLossless(true);
        SessionSettings session = SessionSettings.cpu(1, 4);
        try (TopicReader masks = new TopicReader(kafka.bootstrapServers(), Topics.MASKS);
             PipelineHarness first = new PipelineHarness(kafka.bootstrapServers(), TestModels.fixture(), settings,
                     session, Duration.ZERO);
             PipelineHarness second = new PipelineHarness(kafka.bootstrapServers(), TestModels.fixture(), settings,
                     session, Duration.ZERO)) {
            KafkaFrameConsumer a = first.consume("rebalance-test");
            masks.await(r -> true, 20, Duration.ofSeconds(60));
            KafkaFrameConsumer b = second.consume("rebalance-test"); // joins mid-stream
            masks.await(r -> true, 80, Duration.ofSeconds(60));
            a.stop(true); // leaves mid-stream, gracefully (SIGTERM)
            List<ConsumerRecord<byte[], byte[]>> all = masks.await(r -> true, streams * perStream, Duration.ofSeconds(90));
            // anything extra would arrive right behind: give duplicates the chance to show up
            all = masks.await(r -> true, streams * perStream + 1, Duration.ofSeconds(3));
            b.stop(true);
            Map<String, List<Long>> sequences = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : all) {
                sequences.computeIfAbsent(TopicReader.key(r), k -> new ArrayList<>())
                        .add(Long.parseLong(TopicReader.header(r, RecordHeaders.SEQUENCE)));
            }
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < perStream; i++) {
                expected.add(i);
            }
            assertEquals(streams, sequences.size());
            sequences.forEach((stream, seqs) -> assertEquals(expected, seqs,
                    "masks of " + stream + ": each frame once, in frame order"));
        }
    }
}
