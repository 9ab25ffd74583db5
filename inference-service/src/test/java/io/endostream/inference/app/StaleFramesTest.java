package io.endostream.inference.app;

import io.endostream.contracts.Topics;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.inference.support.FrameSender;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Real time first: frames older than max-age (10 s in tests) are skipped and counted, fresh ones still served. */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class StaleFramesTest {

    @Test
    void framesOlderThanMaxAgeAreSkippedAndCountedAndTheLatestGetsItsMask() {
        double before = skippedStale();
        int stale = 5;
        try (FrameSender sender = new FrameSender(KafkaBrokerTestResource.bootstrapServers(), Topics.FRAMES);
             EndoscopySimulator sim = new EndoscopySimulator(21, 320, 256)) {
            long minuteAgo = System.currentTimeMillis() - 60_000;
            for (int i = 0; i < stale; i++) {
                try (SimulatedFrame f = sim.next()) {
                    sender.send(FrameCodec.encode(new Frame("stale-room", "stale-" + i, i, minuteAgo + i * 40,
                            ImageFormat.JPEG, 0, 0, f.jpeg(80))));
                }
            }
            try (SimulatedFrame f = sim.next()) {
                sender.send(FrameCodec.encode(new Frame("stale-room", "fresh", stale, System.currentTimeMillis(),
                        ImageFormat.JPEG, 0, 0, f.jpeg(80))));
            }
        }
        try (TopicReader masks = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.MASKS)) {
            List<ConsumerRecord<byte[], byte[]>> records = masks.await(r -> "stale-room".equals(TopicReader.key(r)), 1,
                    Duration.ofSeconds(30));
            // give stale frames the chance to (wrongly) produce masks too
            records = masks.await(r -> "stale-room".equals(TopicReader.key(r)), stale + 1, Duration.ofSeconds(2));
            assertEquals(1, records.size(), "only the fresh frame gets a mask");
            assertEquals("fresh", TopicReader.header(records.get(0), "ce_frameid"));
        }
        assertEquals(stale, skippedStale() - before, 0.0, "each stale frame counted once");
    }

    @Test
    void readyMeansTheFramesConsumerHasItsPartitions() {
        // readiness may take a moment (the consumer group forms): wait for UP, then it must name partitions
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (given().get("/q/health/ready").statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        String health = given().get("/q/health/ready").then().statusCode(200).extract().asString();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"framesPartitions\"\\s*:\\s*(\\d+)").matcher(health);
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), "readiness reports the assigned partitions: " + health);
        org.junit.jupiter.api.Assertions.assertTrue(Integer.parseInt(m.group(1)) > 0, health);
    }

    private static double skippedStale() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("endostream_frames_skipped_total{") && line.contains("reason=\"stale\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return fail("no endostream_frames_skipped_total{reason=\"stale\"} series in /q/metrics: the stale counter "
                + "must exist (at 0) before the first skip");
    }
}
