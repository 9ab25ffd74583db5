package io.endostream.inference.stream;

import io.endostream.contracts.WireRecord;

/**
 * A frame record as it arrived from Kafka, with where it came from and how to acknowledge it.
 *
 * @param record          key, value and headers, untouched
 * @param receivedNanos   {@link System#nanoTime()} when this service received it (start of the end-to-end clock)
 * @param acknowledgement called exactly once: ack when its mask or dead letter is on the broker (or it was
 *                        skipped on purpose), nack when that failed
 */
public record IncomingFrame(WireRecord record, String topic, int partition, long offset, long timestampMillis,
                            long receivedNanos, Acknowledgement acknowledgement) {

    /** The consumer's side of "nothing is lost": only an acked frame's offset may be committed. */
    public interface Acknowledgement {
        void ack();

        void nack(Throwable cause);
    }
}
