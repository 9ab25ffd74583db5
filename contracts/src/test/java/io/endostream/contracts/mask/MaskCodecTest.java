package io.endostream.contracts.mask;

import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.HeaderAssertions;
import io.endostream.contracts.Json;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.TestImages;
import io.endostream.contracts.WireRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskCodecTest {

    private static final byte[] PNG = TestImages.maskPng(40, 30);

    private static Mask mask() {
        return new Mask("room-3", "endoscopy.frames-4-812", 812, 1_700_000_000_000L, "polyp-unet", "7",
                5.625, 41.5, 0.0001, List.of(new Region(12, 4, 20, 16, 251), new Region(1, 2, 3, 4, 9)),
                40, 30, PNG);
    }

    @Test
    void encodeDecodeRoundTrips() {
        Mask original = mask();

        WireRecord record = MaskCodec.encode(original);
        Mask decoded = MaskCodec.decode(record.key(), record.value(), record.headers());

        assertEquals(original, decoded);
        assertSame(PNG, record.value(), "the PNG is not copied");
    }

    @Test
    void headersArePlainTextAnyConsumerCanRead() throws Exception {
        WireRecord record = MaskCodec.encode(mask());

        HeaderAssertions.assertReadableText(record.headers());
        assertEquals("room-3", record.keyString());
        assertEquals("1.0", record.header(RecordHeaders.CE_SPECVERSION));
        assertEquals("io.endostream.mask.v1", record.header(RecordHeaders.CE_TYPE));
        assertEquals("/endostream/room-3", record.header(RecordHeaders.CE_SOURCE));
        assertEquals("endoscopy.frames-4-812/polyp-unet:7", record.header(RecordHeaders.CE_ID));
        assertEquals(Instant.ofEpochMilli(1_700_000_000_042L), Instant.parse(record.header(RecordHeaders.CE_TIME)),
                "event time = capture time + end-to-end latency");
        assertEquals("image/png", record.header(RecordHeaders.CONTENT_TYPE));
        assertEquals("endoscopy.frames-4-812", record.header(RecordHeaders.FRAME_ID));
        assertEquals("812", record.header(RecordHeaders.SEQUENCE));
        assertEquals("1700000000000", record.header(RecordHeaders.CAPTURE_TIME));
        assertEquals("polyp-unet", record.header(RecordHeaders.MODEL_NAME));
        assertEquals("7", record.header(RecordHeaders.MODEL_VERSION));
        assertEquals("5.625", record.header(RecordHeaders.INFERENCE_MS));
        assertEquals("41.5", record.header(RecordHeaders.END_TO_END_MS));
        assertEquals("0.0001", record.header(RecordHeaders.POLYP_AREA), "plain decimal, no exponent");
        assertEquals("40", record.header(RecordHeaders.WIDTH));
        assertEquals("30", record.header(RecordHeaders.HEIGHT));

        JsonNode regions = Json.mapper().readTree(record.header(RecordHeaders.REGIONS));
        assertEquals("[{\"x\":12,\"y\":4,\"w\":20,\"h\":16,\"area\":251},{\"x\":1,\"y\":2,\"w\":3,\"h\":4,\"area\":9}]",
                regions.toString());
    }

    @Test
    void shadowMaskNamesTheStableVersion() {
        WireRecord record = MaskCodec.encodeShadow(mask(), "polyp-unet:6");
        assertEquals("polyp-unet:6", record.header(RecordHeaders.SHADOW_OF));
        assertEquals(mask(), MaskCodec.decode(record.key(), record.value(), record.headers()));
    }

    @Test
    void regionsHeaderIsOptional() {
        WireRecord record = MaskCodec.encode(mask());
        Map<String, byte[]> headers = new HashMap<>(record.headers());
        headers.remove(RecordHeaders.REGIONS);
        assertEquals(List.of(), MaskCodec.decode(record.key(), record.value(), headers).regions());
    }

    @Test
    void decoderChecksTheTypeAndRefusesUnknownMajors() {
        WireRecord record = MaskCodec.encode(mask());
        Map<String, byte[]> v2 = new HashMap<>(record.headers());
        v2.put(RecordHeaders.CE_TYPE, "io.endostream.mask.v2".getBytes(StandardCharsets.UTF_8));
        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> MaskCodec.decode(record.key(), record.value(), v2));
        assertEquals(DeadLetterReason.UNSUPPORTED_TYPE, e.reason());

        Map<String, byte[]> frameType = new HashMap<>(record.headers());
        frameType.put(RecordHeaders.CE_TYPE, RecordHeaders.FRAME_TYPE.getBytes(StandardCharsets.UTF_8));
        assertEquals(DeadLetterReason.UNSUPPORTED_TYPE, assertThrows(MalformedRecordException.class,
                () -> MaskCodec.decode(record.key(), record.value(), frameType)).reason());

        Map<String, byte[]> none = new HashMap<>(record.headers());
        none.remove(RecordHeaders.CE_TYPE);
        assertEquals(DeadLetterReason.BAD_HEADER, assertThrows(MalformedRecordException.class,
                () -> MaskCodec.decode(record.key(), record.value(), none)).reason());
    }

    @Test
    void optionalAdditionsAreIgnored() {
        WireRecord record = MaskCodec.encode(mask());
        Map<String, byte[]> newer = new HashMap<>(record.headers());
        newer.put("ce_somefuturefield", "whatever".getBytes(StandardCharsets.UTF_8));
        assertEquals(mask(), MaskCodec.decode(record.key(), record.value(), newer));
    }

    @Test
    void everyRequiredHeaderIsNamedWhenMissing() {
        WireRecord record = MaskCodec.encode(mask());
        for (String name : List.of(RecordHeaders.FRAME_ID, RecordHeaders.SEQUENCE, RecordHeaders.CAPTURE_TIME,
                RecordHeaders.MODEL_NAME, RecordHeaders.MODEL_VERSION, RecordHeaders.INFERENCE_MS,
                RecordHeaders.END_TO_END_MS, RecordHeaders.POLYP_AREA, RecordHeaders.WIDTH, RecordHeaders.HEIGHT)) {
            Map<String, byte[]> headers = new HashMap<>(record.headers());
            headers.remove(name);
            MalformedRecordException e = assertThrows(MalformedRecordException.class,
                    () -> MaskCodec.decode(record.key(), record.value(), headers), name);
            assertEquals(DeadLetterReason.BAD_HEADER, e.reason());
            assertTrue(e.detail().contains(name), e.detail());
        }
    }

    @Test
    void unparsableHeadersAreNamed() {
        WireRecord record = MaskCodec.encode(mask());
        Map<String, byte[]> headers = new HashMap<>(record.headers());
        headers.put(RecordHeaders.POLYP_AREA, "NaN".getBytes(StandardCharsets.UTF_8));
        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> MaskCodec.decode(record.key(), record.value(), headers));
        assertTrue(e.detail().contains(RecordHeaders.POLYP_AREA), e.detail());

        headers.put(RecordHeaders.POLYP_AREA, "0.5".getBytes(StandardCharsets.UTF_8));
        headers.put(RecordHeaders.REGIONS, "{not json".getBytes(StandardCharsets.UTF_8));
        e = assertThrows(MalformedRecordException.class, () -> MaskCodec.decode(record.key(), record.value(), headers));
        assertTrue(e.detail().contains(RecordHeaders.REGIONS), e.detail());
    }

    @Test
    void keyAndValueAreRequired() {
        WireRecord record = MaskCodec.encode(mask());
        assertEquals(DeadLetterReason.MISSING_KEY, assertThrows(MalformedRecordException.class,
                () -> MaskCodec.decode(null, record.value(), record.headers())).reason());
        assertEquals(DeadLetterReason.EMPTY_VALUE, assertThrows(MalformedRecordException.class,
                () -> MaskCodec.decode(record.key(), new byte[0], record.headers())).reason());
    }

    @Test
    void nonFiniteNumbersAreRefusedOnEncode() {
        Mask bad = new Mask("room-3", "f", 1, 1, "m", "1", Double.NaN, 1, 0, List.of(), 1, 1, PNG);
        assertThrows(IllegalArgumentException.class, () -> MaskCodec.encode(bad));
    }
}
