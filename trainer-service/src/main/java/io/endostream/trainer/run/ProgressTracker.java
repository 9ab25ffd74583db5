package io.endostream.trainer.run;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Counts units of work, computes the ETA from the mean rate so far, forwards updates and honours cancellation. */
public final class ProgressTracker {
    private final String phase;
    private final long total;
    private final ProgressListener listener;
    private final BooleanSupplier cancelled;
    private final long startNanos = System.nanoTime();
    private long done;

    public ProgressTracker(String phase, long total, ProgressListener listener, BooleanSupplier cancelled) {
        this.phase = phase;
        this.total = total;
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.cancelled = cancelled == null ? () -> false : cancelled;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Throws {@link RunCancelledException} if cancellation was requested. */
    public void checkCancelled() {
        if (cancelled.getAsBoolean()) {
            throw new RunCancelledException(phase + " cancelled after " + done + "/" + total);
        }
    }

    public void step(long units, Map<String, Double> metrics, String message) {
        done += units;
        report(metrics, message);
        checkCancelled();
    }

    public void report(Map<String, Double> metrics, String message) {
        double elapsed = elapsedSeconds();
        double eta = done > 0 && total > 0 ? elapsed / done * Math.max(0, total - done) : -1;
        listener.update(new Progress(phase, done, total, elapsed, eta,
                metrics == null ? Map.of() : new LinkedHashMap<>(metrics), message));
    }

    public long done() {
        return done;
    }
}
