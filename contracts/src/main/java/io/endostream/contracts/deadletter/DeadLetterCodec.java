package io.endostream.contracts.deadletter;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.HeaderValues;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.StreamIds;
import io.endostream.contracts.Utf8;
import io.endostream.contracts.WireRecord;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Dead letters on {@code endoscopy.frames.dlq}: the original key, value and headers, unchanged, plus the reason and
 * origin headers. Nothing of the original is lost, so a fixed record can be replayed.
 */
public final class DeadLetterCodec {

    /** Longest detail kept in the header (characters); longer details are cut with an ellipsis. */
    public static final int MAX_DETAIL_CHARS = 1000;

    private DeadLetterCodec() {
    }

    /** Suffix of a dead letter's {@code ce_id}: {@code <topic>-<partition>-<offset>/deadletter}. */
    public static final String ID_SUFFIX = "/deadletter";

    /**
     * Keeps the original key, value and headers and adds {@code ce_deadletter*} headers. The dead letter is an event
     * of its own, so its CloudEvents identity replaces the original's: {@code ce_id} =
     * {@code <topic>-<partition>-<offset>/deadletter} (unique per stored record, the same again if the record is
     * dead-lettered twice after a redelivery), {@code ce_source} = {@code /endostream/<stream id>} (or
     * {@link StreamIds#UNKNOWN_SOURCE} when the key is no valid stream id), {@code ce_type} =
     * {@link RecordHeaders#DEAD_LETTER_TYPE}, {@code ce_specversion} 1.0. The frame's own identity stays in
     * {@code ce_frameid} (when the producer sent one) or in the origin headers.
     */
    public static WireRecord encode(byte[] originalKey, byte[] originalValue, Map<String, byte[]> originalHeaders,
                                    String topic, int partition, long offset, DeadLetterReason reason, String detail) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        if (originalHeaders != null) {
            headers.putAll(originalHeaders);
        }
        headers.put(RecordHeaders.CE_SPECVERSION, Utf8.bytes(RecordHeaders.SPEC_VERSION));
        headers.put(RecordHeaders.CE_ID, Utf8.bytes(id(topic, partition, offset)));
        String streamId = Utf8.decodeStrictOrNull(originalKey);
        headers.put(RecordHeaders.CE_SOURCE, Utf8.bytes(StreamIds.isValid(streamId)
                ? StreamIds.source(streamId) : StreamIds.UNKNOWN_SOURCE));
        headers.put(RecordHeaders.CE_TYPE, Utf8.bytes(RecordHeaders.DEAD_LETTER_TYPE));
        headers.put(RecordHeaders.DEAD_LETTER_REASON, Utf8.bytes(reason.code()));
        headers.put(RecordHeaders.DEAD_LETTER_DETAIL, Utf8.bytes(shorten(detail)));
        headers.put(RecordHeaders.DEAD_LETTER_TOPIC, Utf8.bytes(topic));
        headers.put(RecordHeaders.DEAD_LETTER_PARTITION, Utf8.bytes(Integer.toString(partition)));
        headers.put(RecordHeaders.DEAD_LETTER_OFFSET, Utf8.bytes(Long.toString(offset)));
        return new WireRecord(originalKey, originalValue, headers);
    }

    /** A dead letter's {@code ce_id}: {@code <topic>-<partition>-<offset>/deadletter}. */
    public static String id(String topic, int partition, long offset) {
        return topic + "-" + partition + "-" + offset + ID_SUFFIX;
    }

    /** {@link #encode} for a decode failure: reason and detail from the exception. */
    public static WireRecord encode(byte[] originalKey, byte[] originalValue, Map<String, byte[]> originalHeaders,
                                    String topic, int partition, long offset, MalformedRecordException failure) {
        return encode(originalKey, originalValue, originalHeaders, topic, partition, offset, failure.reason(),
                failure.detail());
    }

    /**
     * Reads a dead-letter record.
     *
     * @throws MalformedRecordException BAD_HEADER naming a missing or unparsable dead-letter header, UNSUPPORTED_TYPE
     *                                  when {@code ce_type} is not {@link RecordHeaders#DEAD_LETTER_TYPE}
     */
    public static DeadLetter decode(byte[] key, byte[] value, Map<String, byte[]> headers) {
        HeaderValues.checkType(headers, RecordHeaders.DEAD_LETTER_TYPE, true);
        String code = HeaderValues.requireText(headers, RecordHeaders.DEAD_LETTER_REASON);
        DeadLetterReason reason = DeadLetterReason.fromCode(code).orElseThrow(() -> new MalformedRecordException(
                DeadLetterReason.BAD_HEADER, "header " + RecordHeaders.DEAD_LETTER_REASON
                + " has unknown reason '" + code + "'"));
        byte[] detailBytes = headers.get(RecordHeaders.DEAD_LETTER_DETAIL);
        String detail = detailBytes == null ? "" : Utf8.decodeOrNull(detailBytes);
        return new DeadLetter(reason, detail,
                HeaderValues.requireText(headers, RecordHeaders.DEAD_LETTER_TOPIC),
                HeaderValues.requireInt(headers, RecordHeaders.DEAD_LETTER_PARTITION),
                HeaderValues.requireLong(headers, RecordHeaders.DEAD_LETTER_OFFSET),
                key, value);
    }

    private static String shorten(String detail) {
        if (detail == null) {
            return "";
        }
        if (detail.length() <= MAX_DETAIL_CHARS) {
            return detail;
        }
        int end = MAX_DETAIL_CHARS - 1;
        if (Character.isHighSurrogate(detail.charAt(end - 1))) {
            end--; // never split a surrogate pair: the header must stay valid UTF-8
        }
        return detail.substring(0, end) + "…";
    }
}
