package io.endostream.trainer.run;

/** Receives progress updates; implementations must be cheap (called once per iteration). */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> { };

    void update(Progress progress);
}
