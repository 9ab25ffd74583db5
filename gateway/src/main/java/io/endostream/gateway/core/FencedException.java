package io.endostream.gateway.core;

/** A newer gateway with the same transactional id has taken over: this instance may no longer write. */
public class FencedException extends RuntimeException {
    public FencedException(String message, Throwable cause) {
        super(message, cause);
    }
}
