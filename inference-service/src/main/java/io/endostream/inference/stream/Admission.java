package io.endostream.inference.stream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-flight gate: counts frames taken in and not yet ended, and tells the consumer when to hold back
 * ({@code maxInFlight}). Never blocks the caller: {@link #enter()} returns a stage that completes when there is room.
 */
final class Admission {

    private static final CompletableFuture<Void> ADMITTED = CompletableFuture.completedFuture(null);

    private final int maxInFlight;
    private final AtomicInteger inFlight;
    private final Object lock = new Object();
    private CompletableFuture<Void> waitingForRoom;

    Admission(int maxInFlight, AtomicInteger inFlight) {
        this.maxInFlight = maxInFlight;
        this.inFlight = inFlight;
    }

    /** Counts a frame in; the stage completes when the next frame may come. */
    CompletionStage<Void> enter() {
        if (inFlight.incrementAndGet() < maxInFlight) {
            return ADMITTED;
        }
        synchronized (lock) {
            if (inFlight.get() < maxInFlight) {
                return ADMITTED;
            }
            if (waitingForRoom == null) {
                waitingForRoom = new CompletableFuture<>();
            }
            return waitingForRoom;
        }
    }

    /** Counts a frame out (acknowledged, failed or handed back). */
    void leave() {
        int now = inFlight.decrementAndGet();
        CompletableFuture<Void> waiting = null;
        synchronized (lock) {
            if (now < maxInFlight) {
                waiting = waitingForRoom;
                waitingForRoom = null;
            }
            if (now == 0) {
                lock.notifyAll();
            }
        }
        if (waiting != null) {
            waiting.complete(null);
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /** Waits until no frame is in flight; false on timeout. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }
}
