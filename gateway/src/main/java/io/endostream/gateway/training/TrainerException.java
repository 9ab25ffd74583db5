package io.endostream.gateway.training;

import io.endostream.gateway.core.ApiException;

/**
 * A training request that failed: the trainer refused it (its status and message are relayed), or could not be
 * reached (502), or training is not configured (503).
 */
public class TrainerException extends ApiException {
    public TrainerException(int status, String field, String message) {
        super(status, field, message);
    }
}
