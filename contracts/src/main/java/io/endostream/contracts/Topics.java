package io.endostream.contracts;

/**
 * Kafka topic names and sizing shared by every EndoStream service. See the module README for each
 * topic's key, headers and value.
 */
public final class Topics {

    /** Frames from the endoscopes. Key = stream id. Value = JPEG, PNG or raw BGR24 bytes. */
    public static final String FRAMES = "endoscopy.frames";
    /** Segmentation masks, one per processed frame. Key = stream id. Value = 1-bit grayscale PNG. */
    public static final String MASKS = "endoscopy.masks";
    /** Frames that could not be processed: the original record plus the reason headers. */
    public static final String FRAMES_DLQ = "endoscopy.frames.dlq";
    /** Masks from a shadowed candidate model. Never read by mask consumers; compared by the gateway. */
    public static final String MASKS_SHADOW = "endoscopy.masks.shadow";
    /** Compacted: model versions (manifest JSON). */
    public static final String MODELS = "endostream.models";
    /** Compacted: rollout plans (rollout plan JSON). */
    public static final String ROLLOUTS = "endostream.rollouts";
    /** Compacted: per-instance telemetry (JSON). Key = instance id. */
    public static final String TELEMETRY = "endostream.telemetry";
    /** Compacted: which model version each live stream runs (stream assignment JSON). Key = stream id. */
    public static final String ASSIGNMENTS = "endostream.assignments";
    /** Append-only (delete policy, long retention): the gateway's audit log of every rollout decision (JSON). */
    public static final String AUDIT = "endostream.audit";

    /** Partitions per data topic: bounds how many inference instances can share the load. */
    public static final int DEFAULT_PARTITIONS = 12;

    /**
     * Largest frame value accepted: 16 MiB. Kafka's default is 1 MiB, so topics and clients are configured
     * for it ({@code max.message.bytes}, {@code max.request.size}, {@code max.partition.fetch.bytes},
     * {@code fetch.max.bytes}).
     */
    public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

    /**
     * Record size to configure on the frame and dead-letter topics ({@code max.message.bytes}) and in clients
     * ({@code max.request.size}, fetch sizes): a maximal frame plus 64 KiB for key, headers and batch overhead.
     */
    public static final int MAX_RECORD_BYTES = MAX_FRAME_BYTES + 64 * 1024;

    private Topics() {
    }
}
