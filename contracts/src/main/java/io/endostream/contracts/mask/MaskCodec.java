package io.endostream.contracts.mask;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.HeaderValues;
import io.endostream.contracts.Json;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.StreamIds;
import io.endostream.contracts.Utf8;
import io.endostream.contracts.WireRecord;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Mask records on {@code endoscopy.masks} (and {@code endoscopy.masks.shadow}). Never copies the PNG. */
public final class MaskCodec {

    private static final TypeReference<List<Region>> REGION_LIST = new TypeReference<>() {
    };

    private MaskCodec() {
    }

    /**
     * Key = stream id; value = the PNG; headers: CloudEvents (id {@code <frame id>/<model>:<version>}, source
     * {@code /endostream/<stream id>}, type {@link RecordHeaders#MASK_TYPE}, time = capture time + end-to-end latency),
     * content-type image/png and every mask field.
     */
    public static WireRecord encode(Mask m) {
        Map<String, byte[]> headers = new LinkedHashMap<>();
        put(headers, RecordHeaders.CE_SPECVERSION, RecordHeaders.SPEC_VERSION);
        put(headers, RecordHeaders.CE_ID, m.frameId() + "/" + m.modelName() + ":" + m.modelVersion());
        put(headers, RecordHeaders.CE_SOURCE, StreamIds.source(m.streamId()));
        put(headers, RecordHeaders.CE_TYPE, RecordHeaders.MASK_TYPE);
        put(headers, RecordHeaders.CE_TIME,
                Instant.ofEpochMilli(m.captureTimeMillis() + Math.round(m.endToEndMillis())).toString());
        put(headers, RecordHeaders.CONTENT_TYPE, "image/png");
        put(headers, RecordHeaders.FRAME_ID, m.frameId());
        put(headers, RecordHeaders.SEQUENCE, Long.toString(m.sequence()));
        put(headers, RecordHeaders.CAPTURE_TIME, Long.toString(m.captureTimeMillis()));
        put(headers, RecordHeaders.MODEL_NAME, m.modelName());
        put(headers, RecordHeaders.MODEL_VERSION, m.modelVersion());
        put(headers, RecordHeaders.INFERENCE_MS, HeaderValues.formatDouble(m.inferenceMillis()));
        put(headers, RecordHeaders.END_TO_END_MS, HeaderValues.formatDouble(m.endToEndMillis()));
        put(headers, RecordHeaders.POLYP_AREA, HeaderValues.formatDouble(m.polypAreaFraction()));
        put(headers, RecordHeaders.WIDTH, Integer.toString(m.width()));
        put(headers, RecordHeaders.HEIGHT, Integer.toString(m.height()));
        try {
            headers.put(RecordHeaders.REGIONS, Json.mapper().writeValueAsBytes(m.regions()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write regions as JSON", e);
        }
        return new WireRecord(Utf8.bytes(m.streamId()), m.png(), headers);
    }

    /**
     * {@link #encode(Mask)} plus {@link RecordHeaders#SHADOW_OF} = the stable model ({@code name:version}) whose mask
     * this shadow mask is compared with. For {@code endoscopy.masks.shadow}.
     */
    public static WireRecord encodeShadow(Mask m, String shadowOf) {
        WireRecord record = encode(m);
        put(record.headers(), RecordHeaders.SHADOW_OF, shadowOf);
        return record;
    }

    /**
     * Decodes a mask record. {@code ce_type} must be {@link RecordHeaders#MASK_TYPE} (a {@code .v2} is refused, not
     * guessed at); {@code ce_regions} is optional (empty list); every other mask header is required; headers this
     * reader does not know are ignored.
     *
     * @throws MalformedRecordException naming the missing or bad header, or MISSING_KEY / EMPTY_VALUE
     */
    public static Mask decode(byte[] key, byte[] value, Map<String, byte[]> headers) {
        String streamId = Utf8.decodeStrictOrNull(key);
        if (streamId == null || streamId.isBlank()) {
            throw new MalformedRecordException(DeadLetterReason.MISSING_KEY, "mask record has no stream id key");
        }
        if (!StreamIds.isValid(streamId)) {
            throw new MalformedRecordException(DeadLetterReason.INVALID_STREAM_ID,
                    "mask record key: " + StreamIds.describeInvalid(streamId));
        }
        if (value == null || value.length == 0) {
            throw new MalformedRecordException(DeadLetterReason.EMPTY_VALUE, "mask record has no PNG value");
        }
        Map<String, byte[]> h = headers == null ? Map.of() : headers;
        HeaderValues.checkType(h, RecordHeaders.MASK_TYPE, true);
        List<Region> regions = List.of();
        byte[] regionsJson = h.get(RecordHeaders.REGIONS);
        if (regionsJson != null) {
            try {
                regions = Json.mapper().readValue(regionsJson, REGION_LIST);
            } catch (java.io.IOException e) {
                throw new MalformedRecordException(DeadLetterReason.BAD_HEADER, "header " + RecordHeaders.REGIONS
                        + " must be a JSON array of {x,y,w,h,area}: "
                        + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
            }
        }
        return new Mask(streamId,
                HeaderValues.requireText(h, RecordHeaders.FRAME_ID),
                HeaderValues.requireLong(h, RecordHeaders.SEQUENCE),
                HeaderValues.requireLong(h, RecordHeaders.CAPTURE_TIME),
                HeaderValues.requireText(h, RecordHeaders.MODEL_NAME),
                HeaderValues.requireText(h, RecordHeaders.MODEL_VERSION),
                HeaderValues.requireDouble(h, RecordHeaders.INFERENCE_MS),
                HeaderValues.requireDouble(h, RecordHeaders.END_TO_END_MS),
                HeaderValues.requireDouble(h, RecordHeaders.POLYP_AREA),
                regions,
                HeaderValues.requireInt(h, RecordHeaders.WIDTH),
                HeaderValues.requireInt(h, RecordHeaders.HEIGHT),
                value);
    }

    private static void put(Map<String, byte[]> headers, String name, String value) {
        headers.put(name, Utf8.bytes(value));
    }
}
