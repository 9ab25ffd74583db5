package io.endostream.inference.stream;

import io.endostream.contracts.frame.Frame;

/**
 * Where tests make a stage fail for chosen frames (an ORT failure, an OutOfMemoryError in a decode). Production
 * wiring uses {@link #NONE}.
 */
public interface FaultInjector {

    FaultInjector NONE = new FaultInjector() {
    };

    /** Called on a codec thread before the frame is decoded. */
    default void beforeDecode(Frame frame) {
    }

    /** Called on a codec thread after the decoded frame was handed to the batcher (tests time overloads by it). */
    default void queuedForInference(Frame frame) {
    }

    /** Called on the inference thread just before the frame's batch runs. */
    default void beforeInference(Frame frame) {
    }

    /** Called on the shadow thread just before the candidate runs on a copy of the frame. */
    default void beforeShadowInference(Frame frame) {
    }
}
