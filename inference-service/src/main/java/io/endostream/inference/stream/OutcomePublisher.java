package io.endostream.inference.stream;

import io.endostream.contracts.WireRecord;

import java.util.concurrent.CompletionStage;

/**
 * Sends a frame's outcome to Kafka. The stage completes when the broker acknowledged the record (acks=all), fails
 * otherwise. Records handed over in order for one key must reach the broker in that order (one producer,
 * idempotence on), which keeps masks of a stream in frame order.
 */
public interface OutcomePublisher {

    /** A mask for {@code endoscopy.masks} (key = stream id). */
    CompletionStage<Void> publishMask(WireRecord mask);

    /** A dead letter for {@code endoscopy.frames.dlq}. */
    CompletionStage<Void> publishDeadLetter(WireRecord deadLetter);
}
