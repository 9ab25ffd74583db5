package io.endostream.contracts.frame;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.HeaderValues;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.StreamIds;
import io.endostream.contracts.Topics;
import io.endostream.contracts.Utf8;
import io.endostream.contracts.WireRecord;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Frame records on {@link Topics#FRAMES}. The minimum a producer sends is the key (stream id) and the image bytes;
 * everything else has a default, so {@code kcat -P -k room-3 frame.jpg} works. Never copies the image.
 */
public final class FrameCodec {

    private FrameCodec() {
    }

    /** {@link #decode(byte[], byte[], Map, String, int, long, long, int)} with the {@link Topics#MAX_FRAME_BYTES} limit. */
    public static Frame decode(byte[] key, byte[] value, Map<String, byte[]> headers, String topic, int partition,
                               long offset, long timestampMillis) {
        return decode(key, value, headers, topic, partition, offset, timestampMillis, Topics.MAX_FRAME_BYTES);
    }

    /**
     * Decodes a frame record.
     *
     * @throws MalformedRecordException with the dead-letter reason when the record is not a usable frame
     */
    public static Frame decode(byte[] key, byte[] value, Map<String, byte[]> headers, String topic, int partition,
                               long offset, long timestampMillis, int maxBytes) {
        Map<String, byte[]> h = headers == null ? Map.of() : headers;
        String streamId = streamId(key);
        HeaderValues.checkType(h, RecordHeaders.FRAME_TYPE, false);
        if (value == null || value.length == 0) {
            throw new MalformedRecordException(DeadLetterReason.EMPTY_VALUE,
                    "frame value is " + (value == null ? "null" : "empty") + " (stream " + streamId + ")");
        }
        if (value.length > maxBytes) {
            throw new MalformedRecordException(DeadLetterReason.TOO_LARGE,
                    "frame value is " + value.length + " bytes, limit is " + maxBytes);
        }
        ImageFormat format = format(value, Utf8.decodeOrNull(h.get(RecordHeaders.CONTENT_TYPE)));
        int width = 0;
        int height = 0;
        if (format == ImageFormat.RAW_BGR24) {
            width = positiveInt(h, RecordHeaders.WIDTH);
            height = positiveInt(h, RecordHeaders.HEIGHT);
            long expected = (long) width * height * 3;
            if (value.length != expected) {
                throw new MalformedRecordException(DeadLetterReason.RAW_SIZE_MISMATCH,
                        "raw BGR24 " + width + "x" + height + " needs " + expected + " bytes, value has " + value.length);
            }
        }
        long sequence = optionalLong(h, RecordHeaders.SEQUENCE, offset);
        long captureTime = captureTime(h, timestampMillis);
        String frameId = Utf8.decodeOrNull(h.get(RecordHeaders.FRAME_ID));
        if (frameId == null || frameId.isBlank()) {
            frameId = defaultFrameId(topic, partition, offset);
        }
        return new Frame(streamId, frameId, sequence, captureTime, format, width, height, value);
    }

    /** The frame id used when the producer sends none: {@code <topic>-<partition>-<offset>}, stable across redelivery. */
    public static String defaultFrameId(String topic, int partition, long offset) {
        return topic + "-" + partition + "-" + offset;
    }

    /**
     * Encodes a frame with every CloudEvents header (an IllegalArgumentException when the stream id breaks
     * {@link StreamIds}' rule: never write what readers reject): spec version, id (= frame id), source
     * ({@code /endostream/<stream id>}), type, time (capture time, RFC 3339), content-type, sequence, capture time,
     * frame id, and width/height for raw frames. Key and value share the frame's arrays.
     */
    public static WireRecord encode(Frame frame) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        put(headers, RecordHeaders.CE_SPECVERSION, RecordHeaders.SPEC_VERSION);
        put(headers, RecordHeaders.CE_ID, frame.frameId());
        put(headers, RecordHeaders.CE_SOURCE, StreamIds.source(frame.streamId()));
        put(headers, RecordHeaders.CE_TYPE, RecordHeaders.FRAME_TYPE);
        put(headers, RecordHeaders.CE_TIME, Instant.ofEpochMilli(frame.captureTimeMillis()).toString());
        put(headers, RecordHeaders.CONTENT_TYPE, frame.format().contentType());
        put(headers, RecordHeaders.SEQUENCE, Long.toString(frame.sequence()));
        put(headers, RecordHeaders.CAPTURE_TIME, Long.toString(frame.captureTimeMillis()));
        put(headers, RecordHeaders.FRAME_ID, frame.frameId());
        if (frame.format() == ImageFormat.RAW_BGR24) {
            put(headers, RecordHeaders.WIDTH, Integer.toString(frame.width()));
            put(headers, RecordHeaders.HEIGHT, Integer.toString(frame.height()));
        }
        return new WireRecord(Utf8.bytes(frame.streamId()), frame.image(), headers);
    }

    private static String streamId(byte[] key) {
        if (key == null || key.length == 0) {
            throw new MalformedRecordException(DeadLetterReason.MISSING_KEY,
                    "frame record has no key; the key must be the stream id (UTF-8)");
        }
        String streamId = Utf8.decodeStrictOrNull(key);
        if (streamId == null || streamId.isBlank()) {
            throw new MalformedRecordException(DeadLetterReason.MISSING_KEY,
                    "frame record key is " + (streamId == null ? "not valid UTF-8" : "blank")
                            + "; the key must be the stream id (UTF-8)");
        }
        if (!StreamIds.isValid(streamId)) {
            throw new MalformedRecordException(DeadLetterReason.INVALID_STREAM_ID,
                    "frame record key: " + StreamIds.describeInvalid(streamId));
        }
        return streamId;
    }

    private static ImageFormat format(byte[] value, String contentType) {
        Optional<ImageFormat> sniffed = ImageFormat.sniff(value);
        if (contentType == null || contentType.isBlank()) {
            return sniffed.orElseThrow(() -> new MalformedRecordException(DeadLetterReason.UNRECOGNISED_IMAGE,
                    "no content-type header and the value is neither JPEG nor PNG (first bytes " + firstBytes(value) + ")"));
        }
        ImageFormat declared = ImageFormat.fromContentType(contentType).orElseThrow(() -> new MalformedRecordException(
                DeadLetterReason.UNSUPPORTED_CONTENT_TYPE, "content-type '" + contentType
                + "' is not one of image/jpeg, image/png, application/x-raw-bgr24"));
        if (declared == ImageFormat.RAW_BGR24) {
            return declared; // raw pixels may start with any bytes, even a "magic"
        }
        if (sniffed.isEmpty()) {
            throw new MalformedRecordException(DeadLetterReason.UNRECOGNISED_IMAGE, "content-type says "
                    + declared.contentType() + " but the value lacks its signature (first bytes " + firstBytes(value) + ")");
        }
        if (sniffed.get() != declared) {
            throw new MalformedRecordException(DeadLetterReason.CONTENT_TYPE_MISMATCH, "content-type says "
                    + declared.contentType() + " but the value is " + sniffed.get().contentType());
        }
        return declared;
    }

    /** {@code ce_capturetime}, else CloudEvents' own {@code ce_time} (plain CloudEvents producers send only that), else
     *  the record timestamp. */
    private static long captureTime(Map<String, byte[]> headers, long timestampMillis) {
        if (headers.get(RecordHeaders.CAPTURE_TIME) != null || headers.get(RecordHeaders.CE_TIME) == null) {
            return optionalLong(headers, RecordHeaders.CAPTURE_TIME, timestampMillis);
        }
        return HeaderValues.requireRfc3339Millis(headers, RecordHeaders.CE_TIME);
    }

    private static int positiveInt(Map<String, byte[]> headers, String name) {
        String text = Utf8.decodeOrNull(headers.get(name));
        if (text == null) {
            throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                    "header " + name + " is required for " + ImageFormat.RAW_BGR24.contentType());
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                "header " + name + " must be a positive integer, was '" + text + "'");
    }

    private static long optionalLong(Map<String, byte[]> headers, String name, long defaultValue) {
        String text = Utf8.decodeOrNull(headers.get(name));
        if (text == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new MalformedRecordException(DeadLetterReason.BAD_HEADER,
                    "header " + name + " must be a decimal integer, was '" + text + "'");
        }
    }

    private static void put(Map<String, byte[]> headers, String name, String value) {
        headers.put(name, Utf8.bytes(value));
    }

    private static String firstBytes(byte[] value) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, value.length); i++) {
            if (i > 0) {
                hex.append(' ');
            }
            hex.append(String.format("%02X", value[i] & 0xFF));
        }
        return hex.toString();
    }
}
