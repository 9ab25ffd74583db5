package io.endostream.inference.stream;

import io.endostream.contracts.rollout.ModelRef;

/**
 * Told how every frame served by a model version ended, once its outcome is on the broker: the figures the rollout
 * analysis judges a version by (the control plane's telemetry). Called on the pipeline's completion thread: keep it
 * cheap and never block.
 */
public interface OutcomeListener {

    OutcomeListener NONE = new OutcomeListener() {
    };

    /** A mask of {@code model} was published, {@code endToEndMillis} after the frame was received. */
    default void masked(ModelRef model, double endToEndMillis) {
    }

    /** A frame routed to {@code model} was dead-lettered for a reason of the frame (bad input, too old to matter). */
    default void deadLettered(ModelRef model) {
    }

    /** A frame routed to {@code model} failed in processing ({@code processing-failed}): the version's fault. */
    default void failed(ModelRef model) {
    }
}
