package io.endostream.inference.stream;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.WireRecord;

/** How a frame ended: exactly one of a mask, a dead letter or a counted skip. */
record Outcome(Kind kind, WireRecord record, String modelVersion, DeadLetterReason reason, String skipReason) {

    enum Kind { MASK, DEAD_LETTER, SKIP }

    static Outcome mask(WireRecord record, String modelVersion) {
        return new Outcome(Kind.MASK, record, modelVersion, null, null);
    }

    static Outcome deadLetter(WireRecord record, DeadLetterReason reason) {
        return new Outcome(Kind.DEAD_LETTER, record, null, reason, null);
    }

    static Outcome skip(String reason) {
        return new Outcome(Kind.SKIP, null, null, null, reason);
    }
}
