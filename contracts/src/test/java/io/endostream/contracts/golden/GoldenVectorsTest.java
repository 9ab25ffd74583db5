package io.endostream.contracts.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.Json;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.Utf8;
import io.endostream.contracts.WireRecord;
import io.endostream.contracts.deadletter.DeadLetter;
import io.endostream.contracts.deadletter.DeadLetterCodec;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.contracts.mask.Region;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.contracts.rollout.StreamRouter;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden vectors in {@code contracts/golden/} (also checked by {@code golden/check.py}, so a reader in another
 * language can rely on them) agree with the Java codecs, in both directions where the codec writes the record.
 */
class GoldenVectorsTest {

    private static final Path GOLDEN = Path.of("golden");
    private static final ObjectMapper MAPPER = Json.mapper();

    @TestFactory
    Stream<DynamicTest> frames() throws IOException {
        JsonNode cases = read("frames.json").path("cases");
        assertTrue(cases.size() >= 20, "the frame vectors are all there");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            tests.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> checkFrame(c)));
        }
        return tests.stream();
    }

    private static void checkFrame(JsonNode c) throws IOException {
        JsonNode r = c.path("record");
        byte[] key = key(r);
        byte[] value = value(r);
        Map<String, byte[]> headers = headers(r.path("headers"));
        JsonNode expect = c.path("expect");
        if (expect.has("deadLetter")) {
            MalformedRecordException e = assertThrows(MalformedRecordException.class, () -> FrameCodec.decode(key, value,
                    headers, r.path("topic").asText(), r.path("partition").asInt(), r.path("offset").asLong(),
                    r.path("timestamp").asLong()));
            assertEquals(expect.path("deadLetter").asText(), e.reason().code(), e.getMessage());
            return;
        }
        Frame frame = FrameCodec.decode(key, value, headers, r.path("topic").asText(), r.path("partition").asInt(),
                r.path("offset").asLong(), r.path("timestamp").asLong());
        JsonNode f = expect.path("frame");
        Frame expected = new Frame(f.path("streamId").asText(), f.path("frameId").asText(), f.path("sequence").asLong(),
                f.path("captureTimeMillis").asLong(), ImageFormat.valueOf(f.path("format").asText()),
                f.path("width").asInt(), f.path("height").asInt(), value);
        assertEquals(expected, frame);
        if (c.path("encode").asBoolean()) {
            assertHeaders(headers, FrameCodec.encode(expected).headers());
        }
    }

    @TestFactory
    Stream<DynamicTest> masks() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : read("masks.json").path("cases")) {
            tests.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> checkMask(c)));
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    private static void checkMask(JsonNode c) throws IOException {
        JsonNode r = c.path("record");
        byte[] key = key(r);
        byte[] value = value(r);
        Map<String, byte[]> headers = headers(r.path("headers"));
        JsonNode expect = c.path("expect");
        if (expect.has("error")) {
            MalformedRecordException e = assertThrows(MalformedRecordException.class,
                    () -> MaskCodec.decode(key, value, headers));
            assertEquals(expect.path("error").asText(), e.reason().code(), e.getMessage());
            return;
        }
        JsonNode m = expect.path("mask");
        List<Region> regions = new ArrayList<>();
        for (JsonNode g : m.path("regions")) {
            regions.add(MAPPER.treeToValue(g, Region.class));
        }
        Mask expected = new Mask(m.path("streamId").asText(), m.path("frameId").asText(), m.path("sequence").asLong(),
                m.path("captureTimeMillis").asLong(), m.path("modelName").asText(), m.path("modelVersion").asText(),
                m.path("inferenceMillis").asDouble(), m.path("endToEndMillis").asDouble(),
                m.path("polypAreaFraction").asDouble(), regions, m.path("width").asInt(), m.path("height").asInt(), value);
        assertEquals(expected, MaskCodec.decode(key, value, headers));
        if (c.path("encode").asBoolean()) {
            assertHeaders(headers, MaskCodec.encode(expected).headers());
        }
        // The PNG is what the headers say: size, pixels, and the polyp area fraction.
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(value));
        assertEquals(expected.width(), image.getWidth());
        assertEquals(expected.height(), image.getHeight());
        assertEquals(1, image.getColorModel().getPixelSize(), "masks are 1-bit PNG");
        int white = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            StringBuilder row = new StringBuilder();
            for (int x = 0; x < image.getWidth(); x++) {
                boolean polyp = (image.getRGB(x, y) & 0xFFFFFF) == 0xFFFFFF;
                row.append(polyp ? '1' : '0');
                white += polyp ? 1 : 0;
            }
            assertEquals(expect.path("pixels").get(y).asText(), row.toString(), "row " + y);
        }
        assertEquals(expected.polypAreaFraction(), white / (double) (image.getWidth() * image.getHeight()));
    }

    @TestFactory
    Stream<DynamicTest> deadLetters() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : read("deadletters.json").path("cases")) {
            tests.add(DynamicTest.dynamicTest(c.path("name").asText(), () -> checkDeadLetter(c)));
        }
        assertFalse(tests.isEmpty());
        return tests.stream();
    }

    private static void checkDeadLetter(JsonNode c) throws IOException {
        JsonNode o = c.path("original");
        byte[] key = key(o);
        byte[] value = value(o);
        DeadLetterReason reason = DeadLetterReason.fromCode(c.path("reason").asText()).orElseThrow();
        WireRecord dlq = DeadLetterCodec.encode(key, value, headers(o.path("headers")), o.path("topic").asText(),
                o.path("partition").asInt(), o.path("offset").asLong(), reason, c.path("detail").asText());
        assertHeaders(headers(c.path("expect").path("headers")), dlq.headers());
        assertArrayEquals(key, dlq.key());
        assertArrayEquals(value, dlq.value());
        DeadLetter decoded = DeadLetterCodec.decode(dlq.key(), dlq.value(), dlq.headers());
        assertEquals(reason, decoded.reason());
        assertEquals(c.path("detail").asText(), decoded.detail());
        assertEquals(o.path("offset").asLong(), decoded.offset());
    }

    @Test
    void routingBucketsAndRoutes() throws IOException {
        JsonNode doc = read("routing.json");
        doc.path("buckets").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asInt(), StreamRouter.bucket(e.getKey()), e.getKey()));
        RolloutPlan plan = RolloutPlan.fromJson(MAPPER.writeValueAsString(doc.path("plan")));
        for (JsonNode route : doc.path("routes")) {
            String id = route.path("streamId").asText();
            StreamRouter.Route actual = StreamRouter.route(plan, id);
            assertEquals(route.path("primary").asText(), actual.primary().name() + ":" + actual.primary().version(), id);
            assertEquals(route.path("shadow").isNull() ? null : route.path("shadow").asText(),
                    actual.shadow() == null ? null : actual.shadow().name() + ":" + actual.shadow().version(), id);
            assertEquals(route.path("because").asText(), actual.because(), id);
        }
        assertEquals(5, doc.path("routes").size());
    }

    /** The partition vectors are what the Java client's default partitioner computes (murmur2, positive, mod N). */
    @Test
    void partitionsAreTheJavaClientsMurmur2() throws IOException {
        JsonNode partitions = read("routing.json").path("partitions");
        assertEquals(2, partitions.size());
        partitions.fields().forEachRemaining(count -> count.getValue().fields().forEachRemaining(e ->
                assertEquals(e.getValue().asInt(), Utils.toPositive(Utils.murmur2(Utf8.bytes(e.getKey())))
                        % Integer.parseInt(count.getKey()), e.getKey() + " over " + count.getKey() + " partitions")));
    }

    private static void assertHeaders(Map<String, byte[]> expected, Map<String, byte[]> actual) {
        assertEquals(text(expected), text(actual));
    }

    private static Map<String, String> text(Map<String, byte[]> headers) {
        Map<String, String> text = new LinkedHashMap<>();
        headers.forEach((k, v) -> text.put(k, Utf8.decodeOrNull(v)));
        return new java.util.TreeMap<>(text); // order is not part of the contract: compare by name
    }

    private static JsonNode read(String file) throws IOException {
        return MAPPER.readTree(GOLDEN.resolve(file).toFile());
    }

    private static byte[] key(JsonNode r) {
        if (r.hasNonNull("keyBase64")) {
            return Base64.getDecoder().decode(r.path("keyBase64").asText());
        }
        return r.path("key").isNull() || r.path("key").isMissingNode() ? null : Utf8.bytes(r.path("key").asText());
    }

    private static byte[] value(JsonNode r) throws IOException {
        if (r.hasNonNull("valueBase64")) {
            return Base64.getDecoder().decode(r.path("valueBase64").asText());
        }
        return r.path("value").isNull() || r.path("value").isMissingNode() ? null
                : Files.readAllBytes(GOLDEN.resolve(r.path("value").asText()));
    }

    private static Map<String, byte[]> headers(JsonNode h) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        h.fields().forEachRemaining(e -> headers.put(e.getKey(), Utf8.bytes(e.getValue().asText())));
        return headers;
    }
}
