package io.endostream.inference.app;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.deadletter.DeadLetter;
import io.endostream.contracts.deadletter.DeadLetterCodec;
import io.endostream.inference.support.FrameSender;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Every malformed frame goes to {@code endoscopy.frames.dlq} with its reason and the original bytes, the service
 * keeps running, and the stream's next healthy frame still gets its mask. Test limits (application.properties):
 * 2,000,000 bytes and 4,000,000 pixels.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
class DeadLettersTest {

    @Test
    void everyMalformedFrameIsDeadLetteredAndTheNextHealthyFrameOfItsStreamGetsAMask() {
        byte[] jpeg;
        byte[] png;
        try (EndoscopySimulator sim = new EndoscopySimulator(11, 320, 256); SimulatedFrame f = sim.next()) {
            jpeg = f.jpeg(90);
            png = f.png();
        }
        Map<DeadLetterReason, Bad> cases = new EnumMap<>(DeadLetterReason.class);
        cases.put(DeadLetterReason.MISSING_KEY, new Bad(null, jpeg, Map.of()));
        cases.put(DeadLetterReason.EMPTY_VALUE, new Bad("dl-empty", new byte[0], Map.of()));
        cases.put(DeadLetterReason.TOO_LARGE, new Bad("dl-large", Arrays.copyOf(jpeg, 2_100_000), Map.of()));
        cases.put(DeadLetterReason.UNSUPPORTED_CONTENT_TYPE, new Bad("dl-gif", jpeg, Map.of("content-type", "image/gif")));
        cases.put(DeadLetterReason.UNRECOGNISED_IMAGE, new Bad("dl-noise", "not an image at all".getBytes(StandardCharsets.UTF_8), Map.of()));
        cases.put(DeadLetterReason.CONTENT_TYPE_MISMATCH, new Bad("dl-mismatch", jpeg, Map.of("content-type", "image/png")));
        cases.put(DeadLetterReason.BAD_HEADER, new Bad("dl-header", jpeg, Map.of(RecordHeaders.SEQUENCE, "seven")));
        cases.put(DeadLetterReason.RAW_SIZE_MISMATCH, new Bad("dl-raw", new byte[320 * 256 * 3 - 1],
                Map.of("content-type", "application/x-raw-bgr24", RecordHeaders.WIDTH, "320", RecordHeaders.HEIGHT, "256")));
        cases.put(DeadLetterReason.CORRUPT_IMAGE, new Bad("dl-truncated", Arrays.copyOf(jpeg, jpeg.length * 2 / 3), Map.of()));
        cases.put(DeadLetterReason.TOO_MANY_PIXELS, new Bad("dl-bomb", blackPng(2100, 2000), Map.of()));

        try (FrameSender sender = new FrameSender(KafkaBrokerTestResource.bootstrapServers(), Topics.FRAMES)) {
            for (Bad bad : cases.values()) {
                Map<String, byte[]> headers = new LinkedHashMap<>();
                bad.headers.forEach((k, v) -> headers.put(k, v.getBytes(StandardCharsets.UTF_8)));
                sender.send(bad.stream == null ? null : bad.stream.getBytes(StandardCharsets.UTF_8), bad.value, headers);
                sender.send(healthyStream(bad), jpeg); // the stream's next frame
            }
            // a complete PNG whose compressed pixels are damaged (CRC and zlib fail): also CORRUPT_IMAGE
            byte[] damaged = png.clone();
            for (int i = damaged.length / 2; i < damaged.length / 2 + 64; i++) {
                damaged[i] ^= (byte) 0x5A;
            }
            sender.send("dl-damaged-png", damaged);
            sender.send("dl-damaged-png", jpeg);
        }

        try (TopicReader dlq = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.FRAMES_DLQ);
             TopicReader masks = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.MASKS)) {
            List<ConsumerRecord<byte[], byte[]>> letters = dlq.await(r -> true, cases.size() + 1, Duration.ofSeconds(60));
            Map<DeadLetterReason, DeadLetter> byReason = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : letters) {
                DeadLetter letter = DeadLetterCodec.decode(r.key(), r.value(), TopicReader.headers(r));
                if (!"dl-damaged-png".equals(TopicReader.key(r))) {
                    byReason.put(letter.reason(), letter);
                }
                assertEquals(Topics.FRAMES, letter.originTopic());
                assertNotNull(TopicReader.header(r, RecordHeaders.DEAD_LETTER_DETAIL));
            }
            for (Map.Entry<DeadLetterReason, Bad> e : cases.entrySet()) {
                DeadLetter letter = byReason.get(e.getKey());
                assertNotNull(letter, "dead letter for " + e.getKey() + "; got " + byReason.keySet());
                assertArrayEquals(e.getValue().value, letter.value(), "original frame kept for " + e.getKey());
            }
            for (Bad bad : cases.values()) {
                String stream = healthyStream(bad);
                assertEquals(1, masks.await(r -> stream.equals(TopicReader.key(r)), 1, Duration.ofSeconds(30)).size(),
                        "mask for the healthy frame after the bad one on " + stream);
            }
            assertEquals(List.of("corrupt-image"), letters.stream().filter(r -> "dl-damaged-png".equals(TopicReader.key(r)))
                    .map(r -> TopicReader.header(r, RecordHeaders.DEAD_LETTER_REASON)).toList());
            assertEquals(1, masks.await(r -> "dl-damaged-png".equals(TopicReader.key(r)), 1, Duration.ofSeconds(30)).size());
        }
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("endostream_dead_letters_total{reason=\"too-many-pixels\"} 1.0"))
                .body(containsString("endostream_dead_letters_total{reason=\"missing-key\"} 1.0"));
        given().get("/q/health/live").then().statusCode(200);
    }

    private static String healthyStream(Bad bad) {
        return bad.stream == null ? "dl-after-missing-key" : bad.stream;
    }

    /** A real PNG of a large black image: a few kilobytes that decode to width x height x 3 bytes. */
    private static byte[] blackPng(int width, int height) {
        Mat black = new Mat(height, width, CvType.CV_8UC3, new Scalar(0, 0, 0));
        MatOfByte png = new MatOfByte();
        try {
            Imgcodecs.imencode(".png", black, png);
            return png.toArray();
        } finally {
            black.release();
            png.release();
        }
    }

    private record Bad(String stream, byte[] value, Map<String, String> headers) {
    }
}
