package io.endostream.contracts;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterReasonTest {

    @Test
    void codesAreLowerKebab() {
        assertEquals("missing-key", DeadLetterReason.MISSING_KEY.code());
        assertEquals("unsupported-content-type", DeadLetterReason.UNSUPPORTED_CONTENT_TYPE.code());
        assertEquals("processing-failed", DeadLetterReason.PROCESSING_FAILED.code());
        assertTrue(Arrays.stream(DeadLetterReason.values()).allMatch(r -> r.code().matches("[a-z]+(-[a-z]+)*")));
    }

    @Test
    void fromCodeAcceptsCodesAndNames() {
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            assertEquals(Optional.of(reason), DeadLetterReason.fromCode(reason.code()));
            assertEquals(Optional.of(reason), DeadLetterReason.fromCode(reason.name()));
        }
        assertEquals(Optional.empty(), DeadLetterReason.fromCode("nope"));
        assertEquals(Optional.empty(), DeadLetterReason.fromCode(null));
    }
}
