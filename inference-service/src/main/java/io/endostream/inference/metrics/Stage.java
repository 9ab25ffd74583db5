package io.endostream.inference.metrics;

/** The steps a frame goes through, each timed (metric tag {@code stage}). */
public enum Stage {
    /** Waiting for a codec thread and for the batcher (both queues). */
    QUEUE,
    /** Header checks and OpenCV decode (reduced scale when possible). */
    DECODE,
    /** Resize, channel order, normalisation into the model's input buffer. */
    PREPROCESS,
    /** ONNX Runtime run of the batch the frame was in. */
    INFERENCE,
    /** Threshold, resize to the frame's size, area and regions. */
    POSTPROCESS,
    /** 1-bit PNG encode. */
    ENCODE,
    /** From handing the mask to the producer until the broker acknowledged it. */
    PUBLISH,
    /** From the record's arrival in this service until the broker acknowledged its mask. */
    END_TO_END;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
