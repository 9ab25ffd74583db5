package io.endostream.contracts;

import java.util.Objects;

/** A record that cannot be decoded; {@link #reason()} says where it goes in the dead-letter topic. */
public class MalformedRecordException extends RuntimeException {

    private final DeadLetterReason reason;
    private final String detail;

    public MalformedRecordException(DeadLetterReason reason, String detail) {
        super(Objects.requireNonNull(reason, "reason").code() + ": " + detail);
        this.reason = reason;
        this.detail = detail;
    }

    public MalformedRecordException(DeadLetterReason reason, String detail, Throwable cause) {
        this(reason, detail);
        initCause(cause);
    }

    public DeadLetterReason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }
}
