package io.endostream.contracts;

/**
 * Kafka record header names. Records follow CloudEvents' Kafka protocol binding in binary mode: the value is the
 * payload (an image), metadata rides in headers whose values are UTF-8 strings (numbers in decimal).
 */
public final class RecordHeaders {

    /** CloudEvents spec version, always {@value #SPEC_VERSION}. */
    public static final String CE_SPECVERSION = "ce_specversion";
    /** Event id: the frame id for frames (stable across redelivery). */
    public static final String CE_ID = "ce_id";
    /** Event source: {@code /endostream/<stream id>}. */
    public static final String CE_SOURCE = "ce_source";
    /** Event type: {@link #FRAME_TYPE}, {@link #MASK_TYPE} or {@link #DEAD_LETTER_TYPE}. */
    public static final String CE_TYPE = "ce_type";
    /** Event time, RFC 3339 (UTC). */
    public static final String CE_TIME = "ce_time";
    /** MIME type of the value ({@code image/jpeg}, {@code image/png}, {@code application/x-raw-bgr24}). */
    public static final String CONTENT_TYPE = "content-type";

    /** Per-stream frame sequence number (decimal long). Default for frames: the record offset. */
    public static final String SEQUENCE = "ce_sequence";
    /** Capture time, epoch milliseconds (decimal long). Default for frames: the record timestamp. */
    public static final String CAPTURE_TIME = "ce_capturetime";
    /** Width in pixels (raw frames, masks). */
    public static final String WIDTH = "ce_width";
    /** Height in pixels (raw frames, masks). */
    public static final String HEIGHT = "ce_height";
    /** Frame id. Default for frames: {@code <topic>-<partition>-<offset>}. */
    public static final String FRAME_ID = "ce_frameid";
    /** Name of the model that produced a mask. */
    public static final String MODEL_NAME = "ce_modelname";
    /** Version of the model that produced a mask. */
    public static final String MODEL_VERSION = "ce_modelversion";
    /** Model inference time for the frame, milliseconds (decimal). */
    public static final String INFERENCE_MS = "ce_inferencems";
    /** Capture to mask publication, milliseconds (decimal). */
    public static final String END_TO_END_MS = "ce_endtoendms";
    /** Fraction of the mask's pixels that are polyp, 0..1 (decimal). */
    public static final String POLYP_AREA = "ce_polyparea";
    /** Connected polyp regions, JSON array of {@code {"x","y","w","h","area"}}. */
    public static final String REGIONS = "ce_regions";
    /** On masks: regions left out of {@link #REGIONS} by the cap (largest N above a minimum area), decimal. */
    public static final String REGIONS_OMITTED = "ce_regionsomitted";
    /** Dead-letter reason code, see {@link DeadLetterReason#code()}. */
    public static final String DEAD_LETTER_REASON = "ce_deadletterreason";
    /** Human-readable detail of the dead-letter reason. */
    public static final String DEAD_LETTER_DETAIL = "ce_deadletterdetail";
    /** Topic the dead-lettered record came from. */
    public static final String DEAD_LETTER_TOPIC = "ce_deadlettertopic";
    /** Partition the dead-lettered record came from (decimal int). */
    public static final String DEAD_LETTER_PARTITION = "ce_deadletterpartition";
    /** Offset of the dead-lettered record (decimal long). */
    public static final String DEAD_LETTER_OFFSET = "ce_deadletteroffset";
    /** On dead letters too large to publish whole: the original value's size; the value is then empty. */
    public static final String DEAD_LETTER_VALUE_DROPPED = "ce_deadlettervaluedropped";
    /** On shadow masks: the stable model ({@code name:version}) the primary mask came from. */
    public static final String SHADOW_OF = "ce_shadowof";

    /** Value of {@link #CE_SPECVERSION}. */
    public static final String SPEC_VERSION = "1.0";
    /** CloudEvents type of a frame. */
    public static final String FRAME_TYPE = "io.endostream.frame.v1";
    /** CloudEvents type of a mask. */
    public static final String MASK_TYPE = "io.endostream.mask.v1";
    /** CloudEvents type of a dead letter. */
    public static final String DEAD_LETTER_TYPE = "io.endostream.frame.deadletter.v1";
    /** Prefix of {@link #CE_SOURCE}; the stream id follows. */
    public static final String SOURCE_PREFIX = "/endostream/";

    private RecordHeaders() {
    }
}
