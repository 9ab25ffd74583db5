package io.endostream.trainer.run;

/** A run stopped because its job was cancelled; its last checkpoint stays usable for resume. */
public class RunCancelledException extends RuntimeException {
    public RunCancelledException(String message) {
        super(message);
    }
}
