package io.endostream.trainer.job;

/**
 * A refused job request: the request field at fault ({@code type}, {@code options.dataset}, ...) and a message that
 * says what is wrong. The REST API answers 400 {@code {"status":400,"field":...,"error":...}}, as the gateway does.
 */
public class JobRequestException extends IllegalArgumentException {
    private final String field;

    public JobRequestException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request field at fault, or null when the whole request is. */
    public String field() {
        return field;
    }
}
