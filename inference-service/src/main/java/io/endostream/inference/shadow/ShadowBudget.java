package io.endostream.inference.shadow;

import java.util.function.LongSupplier;

/**
 * How much shadow work may be outstanding, and how much of the time the shadow thread may be busy.
 *
 * <p>Two limits, checked when a frame is offered (on a codec thread, so it must be cheap and never block):
 * <ul>
 *   <li><b>queue</b>: at most {@code maxQueued} shadow frames accepted and not yet finished (waiting for their
 *       primary mask, queued, or running). Bounds memory (each holds a decoded image copy and later the primary
 *       mask) and how stale shadow work can get.</li>
 *   <li><b>share</b>: a token bucket over the shadow thread's busy time. Credit accrues at {@code maxShare}
 *       nanoseconds per wall-clock nanosecond, up to one second's worth ({@code maxShare} s); every finished shadow
 *       frame spends its run time. A frame is accepted only while credit is positive, so over any long window the
 *       shadow thread is busy at most {@code maxShare} of the time (plus one frame), whatever the frame rate.</li>
 * </ul>
 * Thread-safe (one short lock per call).
 */
public final class ShadowBudget {

    /** Why an offer was refused; also the {@code reason} tag of the dropped counter. */
    public enum Refusal {
        QUEUE_FULL("queue-full"), SHARE_SPENT("share-spent");

        private final String tag;

        Refusal(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final int maxQueued;
    private final double maxShare;
    private final double maxCreditNanos;
    private final LongSupplier nanoTime;
    private int queued;
    private double creditNanos;
    private long refilledAt;

    public ShadowBudget(int maxQueued, double maxShare, LongSupplier nanoTime) {
        if (maxQueued < 0) {
            throw new IllegalArgumentException("maxQueued must be >= 0, was " + maxQueued);
        }
        if (!(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("maxShare must be within (0, 1], was " + maxShare);
        }
        this.maxQueued = maxQueued;
        this.maxShare = maxShare;
        this.maxCreditNanos = maxShare * 1e9;
        this.nanoTime = nanoTime;
        this.creditNanos = maxCreditNanos;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** Takes a place for one shadow frame; null when accepted (pair with {@link #finished} or {@link #unused}). */
    public synchronized Refusal tryEnter() {
        if (queued >= maxQueued) {
            return Refusal.QUEUE_FULL;
        }
        refill();
        if (creditNanos <= 0) {
            return Refusal.SHARE_SPENT;
        }
        queued++;
        return null;
    }

    /** A shadow frame ran for {@code busyNanos} on the shadow thread: its place is free, its time is spent. */
    public synchronized void finished(long busyNanos) {
        queued--;
        refill();
        creditNanos -= busyNanos;
    }

    /** A shadow frame left without running (its primary failed, shutdown): its place is free. */
    public synchronized void unused() {
        queued--;
    }

    public synchronized int queued() {
        return queued;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        creditNanos = Math.min(maxCreditNanos, creditNanos + (now - refilledAt) * maxShare);
        refilledAt = now;
    }
}
