package io.endostream.contracts.deadletter;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.HeaderAssertions;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.StreamIds;
import io.endostream.contracts.TestImages;
import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterCodecTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void rejectedFrameRoundTripsWithEverythingOriginalKept() {
        byte[] key = utf8("room-3");
        byte[] value = TestImages.png(8, 8);
        Map<String, byte[]> original = new LinkedHashMap<>();
        original.put(RecordHeaders.CONTENT_TYPE, utf8("image/jpeg"));
        original.put("x-camera", utf8("olympus-190"));
        MalformedRecordException failure = assertThrows(MalformedRecordException.class,
                () -> FrameCodec.decode(key, value, original, Topics.FRAMES, 4, 1234, 0));

        WireRecord dlq = DeadLetterCodec.encode(key, value, original, Topics.FRAMES, 4, 1234, failure);
        DeadLetter decoded = DeadLetterCodec.decode(dlq.key(), dlq.value(), dlq.headers());

        assertEquals(DeadLetterReason.CONTENT_TYPE_MISMATCH, decoded.reason());
        assertEquals(failure.detail(), decoded.detail());
        assertEquals(Topics.FRAMES, decoded.originTopic());
        assertEquals(4, decoded.partition());
        assertEquals(1234, decoded.offset());
        assertSame(key, decoded.key());
        assertSame(value, decoded.value(), "the original value is kept, not copied");
        assertEquals("image/jpeg", dlq.header(RecordHeaders.CONTENT_TYPE), "original headers kept");
        assertEquals("olympus-190", dlq.header("x-camera"));
        assertEquals(2, original.size(), "the original header map is not modified");
    }

    @Test
    void headersAreReadableTextWithCloudEventsAttributes() {
        WireRecord dlq = DeadLetterCodec.encode(utf8("room-3"), new byte[0], Map.of(), Topics.FRAMES, 2, 55,
                DeadLetterReason.EMPTY_VALUE, "frame value is empty (stream room-3)");

        HeaderAssertions.assertReadableText(dlq.headers());
        assertEquals("1.0", dlq.header(RecordHeaders.CE_SPECVERSION));
        assertEquals("io.endostream.frame.deadletter.v1", dlq.header(RecordHeaders.CE_TYPE));
        assertEquals("endoscopy.frames-2-55/deadletter", dlq.header(RecordHeaders.CE_ID));
        assertEquals("/endostream/room-3", dlq.header(RecordHeaders.CE_SOURCE));
        assertEquals("empty-value", dlq.header(RecordHeaders.DEAD_LETTER_REASON));
        assertEquals("frame value is empty (stream room-3)", dlq.header(RecordHeaders.DEAD_LETTER_DETAIL));
        assertEquals("endoscopy.frames", dlq.header(RecordHeaders.DEAD_LETTER_TOPIC));
        assertEquals("2", dlq.header(RecordHeaders.DEAD_LETTER_PARTITION));
        assertEquals("55", dlq.header(RecordHeaders.DEAD_LETTER_OFFSET));
    }

    @Test
    void deadLetterIsAnEventOfItsOwnWhileTheFrameKeepsItsFrameId() {
        Frame frame = new Frame("room-7", "f-9", 9, 1000, ImageFormat.JPEG, 0, 0, TestImages.jpeg(8, 8));
        WireRecord original = FrameCodec.encode(frame);

        WireRecord dlq = DeadLetterCodec.encode(original.key(), original.value(), original.headers(), Topics.FRAMES, 0,
                3, DeadLetterReason.CORRUPT_IMAGE, "imdecode returned an empty image");

        // source + id identify one event: the dead letter must not reuse the frame's ce_id
        assertEquals("endoscopy.frames-0-3/deadletter", dlq.header(RecordHeaders.CE_ID));
        assertEquals("f-9", original.header(RecordHeaders.CE_ID));
        assertEquals("f-9", dlq.header(RecordHeaders.FRAME_ID), "the frame's identity stays in ce_frameid");
        assertEquals("/endostream/room-7", dlq.header(RecordHeaders.CE_SOURCE));
        assertEquals(RecordHeaders.DEAD_LETTER_TYPE, dlq.header(RecordHeaders.CE_TYPE));
        assertEquals("9", dlq.header(RecordHeaders.SEQUENCE));
        assertEquals(RecordHeaders.FRAME_TYPE, original.header(RecordHeaders.CE_TYPE), "original record untouched");
    }

    @Test
    void recordWithoutKeyOrValueCanStillBeDeadLettered() {
        WireRecord dlq = DeadLetterCodec.encode(null, null, null, Topics.FRAMES, 0, 1,
                DeadLetterReason.MISSING_KEY, null);
        DeadLetter decoded = DeadLetterCodec.decode(dlq.key(), dlq.value(), dlq.headers());

        assertNull(decoded.key());
        assertNull(decoded.value());
        assertEquals("", decoded.detail());
        assertEquals("/endostream/_invalid", dlq.header(RecordHeaders.CE_SOURCE));
    }

    @Test
    void invalidStreamIdGivesASourceThatIsStillAUriReference() {
        Map<String, byte[]> forged = Map.of(RecordHeaders.CE_SOURCE, utf8("not a uri"));
        WireRecord dlq = DeadLetterCodec.encode(utf8("room 3/../x"), utf8("v"), forged, Topics.FRAMES, 0, 1,
                DeadLetterReason.INVALID_STREAM_ID, "bad id");

        assertEquals(StreamIds.UNKNOWN_SOURCE, dlq.header(RecordHeaders.CE_SOURCE));
        assertDoesNotThrow(() -> new java.net.URI(dlq.header(RecordHeaders.CE_SOURCE)));
    }

    @Test
    void decodeChecksTheType() {
        WireRecord dlq = DeadLetterCodec.encode(utf8("room-3"), utf8("v"), Map.of(), Topics.FRAMES, 0, 1,
                DeadLetterReason.EMPTY_VALUE, "x");
        Map<String, byte[]> v2 = new java.util.HashMap<>(dlq.headers());
        v2.put(RecordHeaders.CE_TYPE, utf8("io.endostream.frame.deadletter.v2"));

        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> DeadLetterCodec.decode(dlq.key(), dlq.value(), v2));
        assertEquals(DeadLetterReason.UNSUPPORTED_TYPE, e.reason());
    }

    @Test
    void longDetailIsCutWithoutBreakingUtf8() {
        String detail = "x".repeat(DeadLetterCodec.MAX_DETAIL_CHARS - 2) + "😀😀😀";
        WireRecord dlq = DeadLetterCodec.encode(utf8("a"), utf8("b"), Map.of(), "t", 0, 0,
                DeadLetterReason.PROCESSING_FAILED, detail);

        HeaderAssertions.assertReadableText(dlq.headers());
        String kept = dlq.header(RecordHeaders.DEAD_LETTER_DETAIL);
        assertTrue(kept.length() <= DeadLetterCodec.MAX_DETAIL_CHARS, kept.length() + " chars");
        assertTrue(kept.endsWith("…"));
    }

    @Test
    void everyReasonRoundTripsByItsCode() {
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            WireRecord dlq = DeadLetterCodec.encode(utf8("k"), utf8("v"), Map.of(), Topics.FRAMES, 1, 2, reason, "d");
            assertEquals(reason, DeadLetterCodec.decode(dlq.key(), dlq.value(), dlq.headers()).reason());
        }
    }

    @Test
    void missingOrUnknownDeadLetterHeadersAreNamed() {
        WireRecord dlq = DeadLetterCodec.encode(utf8("k"), utf8("v"), Map.of(), Topics.FRAMES, 1, 2,
                DeadLetterReason.TOO_LARGE, "d");
        for (String name : new String[] {RecordHeaders.DEAD_LETTER_REASON, RecordHeaders.DEAD_LETTER_TOPIC,
                RecordHeaders.DEAD_LETTER_PARTITION, RecordHeaders.DEAD_LETTER_OFFSET}) {
            Map<String, byte[]> headers = new HashMap<>(dlq.headers());
            headers.remove(name);
            MalformedRecordException e = assertThrows(MalformedRecordException.class,
                    () -> DeadLetterCodec.decode(dlq.key(), dlq.value(), headers));
            assertTrue(e.detail().contains(name), e.detail());
        }
        Map<String, byte[]> headers = new HashMap<>(dlq.headers());
        headers.put(RecordHeaders.DEAD_LETTER_REASON, utf8("cosmic-ray"));
        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> DeadLetterCodec.decode(dlq.key(), dlq.value(), headers));
        assertTrue(e.detail().contains("cosmic-ray"), e.detail());
        assertArrayEquals(utf8("v"), dlq.value());
    }
}
