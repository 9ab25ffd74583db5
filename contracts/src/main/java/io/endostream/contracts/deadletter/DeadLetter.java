package io.endostream.contracts.deadletter;

import io.endostream.contracts.DeadLetterReason;

/**
 * A record from {@code endoscopy.frames.dlq}: why, where it came from, and the original key and value (shared, not
 * copied; either may be null when the original had none).
 */
public record DeadLetter(DeadLetterReason reason, String detail, String originTopic, int partition, long offset,
                         byte[] key, byte[] value) {

    @Override
    public String toString() {
        return "DeadLetter[reason=" + reason.code() + ", detail=" + detail + ", origin=" + originTopic + "-" + partition
                + "-" + offset + ", key=" + (key == null ? "null" : key.length + " bytes")
                + ", value=" + (value == null ? "null" : value.length + " bytes") + "]";
    }
}
