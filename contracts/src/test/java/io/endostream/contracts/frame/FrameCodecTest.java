package io.endostream.contracts.frame;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.StreamIds;
import io.endostream.contracts.TestImages;
import io.endostream.contracts.Topics;
import io.endostream.contracts.WireRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FrameCodecTest {

    private static final byte[] JPEG = TestImages.jpeg(32, 24);
    private static final byte[] PNG = TestImages.png(32, 24);
    private static final long TIMESTAMP = 1_795_000_000_123L;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** What {@code kcat -P -t endoscopy.frames -k room-3 frame.jpg} produces: key and bytes, no headers. */
    @Test
    void jpegSentLikeKcatDecodesWithDefaults() {
        Frame frame = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(), Topics.FRAMES, 7, 4242, TIMESTAMP);

        assertEquals("room-3", frame.streamId());
        assertEquals(ImageFormat.JPEG, frame.format());
        assertEquals(4242, frame.sequence(), "sequence defaults to the offset");
        assertEquals(TIMESTAMP, frame.captureTimeMillis(), "capture time defaults to the record timestamp");
        assertEquals("endoscopy.frames-7-4242", frame.frameId());
        assertEquals(0, frame.width(), "encoded images have unknown size until decoded");
        assertEquals(0, frame.height());
        assertSame(JPEG, frame.image(), "the value is not copied");
    }

    @Test
    void pngSentLikeKcatDecodesWithDefaults() {
        Frame frame = FrameCodec.decode(utf8("room-9"), PNG, null, Topics.FRAMES, 0, 0, TIMESTAMP);

        assertEquals(ImageFormat.PNG, frame.format());
        assertEquals("room-9", frame.streamId());
        assertEquals(0, frame.sequence());
        assertEquals("endoscopy.frames-0-0", frame.frameId());
    }

    @Test
    void frameIdIsStableAcrossRedeliveryOfTheSameRecord() {
        Frame first = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(), Topics.FRAMES, 2, 99, TIMESTAMP);
        Frame redelivered = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(), Topics.FRAMES, 2, 99, TIMESTAMP + 5000);
        Frame next = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(), Topics.FRAMES, 2, 100, TIMESTAMP);

        assertEquals(first.frameId(), redelivered.frameId());
        assertTrue(!first.frameId().equals(next.frameId()));
    }

    @Test
    void optionalHeadersOverrideTheDefaults() {
        Map<String, byte[]> headers = new HashMap<>();
        headers.put(RecordHeaders.SEQUENCE, utf8("17"));
        headers.put(RecordHeaders.CAPTURE_TIME, utf8(" 1700000000000 "));
        headers.put(RecordHeaders.FRAME_ID, utf8("cam-a/frame-17"));
        headers.put(RecordHeaders.CONTENT_TYPE, utf8("image/jpeg"));

        Frame frame = FrameCodec.decode(utf8("room-3"), JPEG, headers, Topics.FRAMES, 1, 500, TIMESTAMP);

        assertEquals(17, frame.sequence());
        assertEquals(1_700_000_000_000L, frame.captureTimeMillis());
        assertEquals("cam-a/frame-17", frame.frameId());
    }

    @Test
    void rawBgr24WithSizeHeadersDecodes() {
        byte[] pixels = new byte[4 * 3 * 3];
        pixels[0] = (byte) 0xFF; // raw pixels may look like a JPEG signature: content-type rules
        pixels[1] = (byte) 0xD8;
        pixels[2] = (byte) 0xFF;
        Map<String, byte[]> headers = Map.of(
                RecordHeaders.CONTENT_TYPE, utf8("application/x-raw-bgr24"),
                RecordHeaders.WIDTH, utf8("4"),
                RecordHeaders.HEIGHT, utf8("3"));

        Frame frame = FrameCodec.decode(utf8("room-3"), pixels, headers, Topics.FRAMES, 0, 1, TIMESTAMP);

        assertEquals(ImageFormat.RAW_BGR24, frame.format());
        assertEquals(4, frame.width());
        assertEquals(3, frame.height());
    }

    @Test
    void encodeThenDecodeGivesTheSameFrame() {
        Frame original = new Frame("room-3", "room-3-000017", 17, TIMESTAMP, ImageFormat.PNG, 0, 0, PNG);

        WireRecord record = FrameCodec.encode(original);
        Frame decoded = FrameCodec.decode(record.key(), record.value(), record.headers(), Topics.FRAMES, 5, 123, 1L);

        assertEquals(original, decoded);
        assertSame(PNG, record.value(), "encode shares the image array");
    }

    @Test
    void rawFrameRoundTripKeepsItsSize() {
        Frame original = new Frame("room-1", "f-1", 3, TIMESTAMP, ImageFormat.RAW_BGR24, 5, 2, new byte[5 * 2 * 3]);

        WireRecord record = FrameCodec.encode(original);
        Frame decoded = FrameCodec.decode(record.key(), record.value(), record.headers(), Topics.FRAMES, 0, 0, 0);

        assertEquals(original, decoded);
    }

    @Test
    void encodeWritesCloudEventsHeadersAsReadableText() {
        Frame frame = new Frame("room-3", "endoscopy.frames-0-9", 9, 1_700_000_000_250L, ImageFormat.JPEG, 0, 0, JPEG);

        WireRecord record = FrameCodec.encode(frame);

        assertArrayEquals(utf8("room-3"), record.key());
        assertEquals("1.0", record.header(RecordHeaders.CE_SPECVERSION));
        assertEquals("endoscopy.frames-0-9", record.header(RecordHeaders.CE_ID));
        assertEquals("/endostream/room-3", record.header(RecordHeaders.CE_SOURCE));
        assertEquals("io.endostream.frame.v1", record.header(RecordHeaders.CE_TYPE));
        assertEquals("2023-11-14T22:13:20.250Z", record.header(RecordHeaders.CE_TIME));
        assertEquals(Instant.ofEpochMilli(1_700_000_000_250L), Instant.parse(record.header(RecordHeaders.CE_TIME)));
        assertEquals("image/jpeg", record.header(RecordHeaders.CONTENT_TYPE));
        assertEquals("9", record.header(RecordHeaders.SEQUENCE));
        assertEquals("1700000000250", record.header(RecordHeaders.CAPTURE_TIME));
        assertEquals("endoscopy.frames-0-9", record.header(RecordHeaders.FRAME_ID));
        assertEquals(null, record.header(RecordHeaders.WIDTH), "no size header for encoded images");
        assertTrue(record.headers() instanceof LinkedHashMap, "headers keep insertion order");
        assertEquals(List.of("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "content-type"),
                List.copyOf(record.headers().keySet()).subList(0, 6));
    }

    // ---- every reason the codec can raise ----

    @Test
    void missingKeyIsRejected() {
        assertReason(DeadLetterReason.MISSING_KEY, "no key",
                () -> FrameCodec.decode(null, JPEG, Map.of(), Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.MISSING_KEY, "no key",
                () -> FrameCodec.decode(new byte[0], JPEG, Map.of(), Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.MISSING_KEY, "blank",
                () -> FrameCodec.decode(utf8("  "), JPEG, Map.of(), Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.MISSING_KEY, "not valid UTF-8",
                () -> FrameCodec.decode(new byte[] {(byte) 0xC3, 0x28}, JPEG, Map.of(), Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void streamIdsOutsideTheSafeSetAreInvalid() {
        // each would make ce_source something other than a plain URI path segment, or hash ambiguously
        for (String id : new String[] {"room 3", "room/3", "..", ".hidden", "-x", "_x", "ü-raum-7", "a?b", "a#b",
            "x".repeat(StreamIds.MAX_LENGTH + 1)}) {
            assertReason(DeadLetterReason.INVALID_STREAM_ID, "A-Z a-z 0-9 . _ ~ -",
                    () -> FrameCodec.decode(utf8(id), JPEG, Map.of(), Topics.FRAMES, 0, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> FrameCodec.encode(
                    new Frame(id, "f", 0, 0, ImageFormat.JPEG, 0, 0, JPEG)), "encode must refuse " + id);
        }
        for (String id : new String[] {"room-3", "OR.7_b~2", "9", "x".repeat(StreamIds.MAX_LENGTH)}) {
            Frame frame = FrameCodec.decode(utf8(id), JPEG, Map.of(), Topics.FRAMES, 0, 0, 0);
            assertEquals(id, frame.streamId());
            assertDoesNotThrow(() -> new java.net.URI(FrameCodec.encode(frame).header(RecordHeaders.CE_SOURCE)));
        }
    }

    @Test
    void typeIsCheckedWhenPresent() {
        Frame frame = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CE_TYPE,
                utf8(RecordHeaders.FRAME_TYPE)), Topics.FRAMES, 0, 0, 0);
        assertEquals("room-3", frame.streamId());
        assertReason(DeadLetterReason.UNSUPPORTED_TYPE, "major version 2",
                () -> FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CE_TYPE,
                        utf8("io.endostream.frame.v2")), Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.UNSUPPORTED_TYPE, "is not io.endostream.frame.v1",
                () -> FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CE_TYPE,
                        utf8(RecordHeaders.MASK_TYPE)), Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void ceTimeIsTheCaptureTimeWhenCeCaptureTimeIsAbsent() {
        Frame fromCeTime = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CE_TIME,
                utf8("2026-11-27T07:30:00.250Z")), Topics.FRAMES, 0, 0, TIMESTAMP);
        assertEquals(1_795_764_600_250L, fromCeTime.captureTimeMillis());
        Frame withOffset = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CE_TIME,
                utf8("2026-11-27T08:30:00.250+01:00")), Topics.FRAMES, 0, 0, TIMESTAMP);
        assertEquals(1_795_764_600_250L, withOffset.captureTimeMillis());
        Frame both = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CE_TIME,
                utf8("2026-11-27T07:30:00.250Z"), RecordHeaders.CAPTURE_TIME, utf8("42")), Topics.FRAMES, 0, 0, TIMESTAMP);
        assertEquals(42, both.captureTimeMillis(), "ce_capturetime wins");
        assertReason(DeadLetterReason.BAD_HEADER, RecordHeaders.CE_TIME,
                () -> FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CE_TIME, utf8("yesterday")),
                        Topics.FRAMES, 0, 0, TIMESTAMP));
    }

    @Test
    void emptyValueIsRejected() {
        assertReason(DeadLetterReason.EMPTY_VALUE, "empty",
                () -> FrameCodec.decode(utf8("room-3"), new byte[0], Map.of(), Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.EMPTY_VALUE, "null",
                () -> FrameCodec.decode(utf8("room-3"), null, Map.of(), Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void valueAboveTheLimitIsTooLarge() {
        assertReason(DeadLetterReason.TOO_LARGE, "limit is 100",
                () -> FrameCodec.decode(utf8("room-3"), JPEG, Map.of(), Topics.FRAMES, 0, 0, 0, 100));
        // exactly at the limit passes
        Frame atLimit = FrameCodec.decode(utf8("room-3"), JPEG, Map.of(), Topics.FRAMES, 0, 0, 0, JPEG.length);
        assertEquals(ImageFormat.JPEG, atLimit.format());
    }

    @Test
    void defaultLimitIsSixteenMebibytes() {
        byte[] justOver = new byte[Topics.MAX_FRAME_BYTES + 1];
        System.arraycopy(JPEG, 0, justOver, 0, 3);
        assertReason(DeadLetterReason.TOO_LARGE, Integer.toString(Topics.MAX_FRAME_BYTES),
                () -> FrameCodec.decode(utf8("room-3"), justOver, Map.of(), Topics.FRAMES, 0, 0, 0));
        assertEquals(16 * 1024 * 1024, Topics.MAX_FRAME_BYTES);
    }

    @Test
    void unknownContentTypeIsUnsupported() {
        assertReason(DeadLetterReason.UNSUPPORTED_CONTENT_TYPE, "image/gif", () -> FrameCodec.decode(utf8("room-3"),
                JPEG, Map.of(RecordHeaders.CONTENT_TYPE, utf8("image/gif")), Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void bytesThatAreNoImageAreUnrecognised() {
        byte[] gif = "GIF89a....".getBytes(StandardCharsets.US_ASCII);
        assertReason(DeadLetterReason.UNRECOGNISED_IMAGE, "47 49 46 38",
                () -> FrameCodec.decode(utf8("room-3"), gif, Map.of(), Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.UNRECOGNISED_IMAGE, "lacks its signature", () -> FrameCodec.decode(
                utf8("room-3"), gif, Map.of(RecordHeaders.CONTENT_TYPE, utf8("image/png")), Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void contentTypeThatDisagreesWithTheBytesIsAMismatch() {
        assertReason(DeadLetterReason.CONTENT_TYPE_MISMATCH, "says image/png but the value is image/jpeg",
                () -> FrameCodec.decode(utf8("room-3"), JPEG, Map.of(RecordHeaders.CONTENT_TYPE, utf8("image/png")),
                        Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.CONTENT_TYPE_MISMATCH, "says image/jpeg but the value is image/png",
                () -> FrameCodec.decode(utf8("room-3"), PNG, Map.of(RecordHeaders.CONTENT_TYPE, utf8("image/jpeg")),
                        Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void badNumberInAHeaderNamesTheHeader() {
        assertReason(DeadLetterReason.BAD_HEADER, "ce_sequence", () -> FrameCodec.decode(utf8("room-3"), JPEG,
                Map.of(RecordHeaders.SEQUENCE, utf8("seventeen")), Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.BAD_HEADER, "ce_capturetime", () -> FrameCodec.decode(utf8("room-3"), JPEG,
                Map.of(RecordHeaders.CAPTURE_TIME, utf8("2026-11-27T08:00:00Z")), Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void rawFrameNeedsPositiveSizeHeaders() {
        byte[] pixels = new byte[12];
        assertReason(DeadLetterReason.BAD_HEADER, "ce_width", () -> FrameCodec.decode(utf8("room-3"), pixels,
                Map.of(RecordHeaders.CONTENT_TYPE, utf8("application/x-raw-bgr24"), RecordHeaders.HEIGHT, utf8("1")),
                Topics.FRAMES, 0, 0, 0));
        assertReason(DeadLetterReason.BAD_HEADER, "ce_height", () -> FrameCodec.decode(utf8("room-3"), pixels,
                Map.of(RecordHeaders.CONTENT_TYPE, utf8("application/x-raw-bgr24"), RecordHeaders.WIDTH, utf8("4"),
                        RecordHeaders.HEIGHT, utf8("-1")), Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void rawFrameOfTheWrongLengthIsASizeMismatch() {
        Map<String, byte[]> headers = Map.of(RecordHeaders.CONTENT_TYPE, utf8("application/x-raw-bgr24"),
                RecordHeaders.WIDTH, utf8("4"), RecordHeaders.HEIGHT, utf8("3"));
        assertReason(DeadLetterReason.RAW_SIZE_MISMATCH, "needs 36 bytes, value has 35",
                () -> FrameCodec.decode(utf8("room-3"), new byte[35], headers, Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void hugeRawDimensionsDoNotOverflow() {
        Map<String, byte[]> headers = Map.of(RecordHeaders.CONTENT_TYPE, utf8("application/x-raw-bgr24"),
                RecordHeaders.WIDTH, utf8("65536"), RecordHeaders.HEIGHT, utf8("65536"));
        assertReason(DeadLetterReason.RAW_SIZE_MISMATCH, "needs 12884901888 bytes",
                () -> FrameCodec.decode(utf8("room-3"), new byte[0x3_0000 * 4], headers, Topics.FRAMES, 0, 0, 0));
    }

    @Test
    void exceptionMessageStartsWithTheReasonCode() {
        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> FrameCodec.decode(null, JPEG, Map.of(), Topics.FRAMES, 0, 0, 0));
        assertTrue(e.getMessage().startsWith("missing-key: "), e.getMessage());
        assertEquals(e.getMessage(), "missing-key: " + e.detail());
    }

    private static void assertReason(DeadLetterReason expected, String detailPart,
                                     org.junit.jupiter.api.function.Executable decode) {
        MalformedRecordException e = assertThrows(MalformedRecordException.class, decode);
        assertEquals(expected, e.reason(), e.getMessage());
        assertTrue(e.detail().contains(detailPart), "detail '" + e.detail() + "' should mention '" + detailPart + "'");
    }
}
