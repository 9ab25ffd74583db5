package io.endostream.inference.stream;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-flight gate: counts frames taken in and not yet ended, and their bytes, and tells the consumer when to
 * hold back ({@code maxInFlight} frames or {@code maxInFlightBytes} of frame values, whichever comes first). The
 * count keeps a backlog of small frames from queueing without end; the bytes bound the heap when frames are large.
 * A frame is always taken in (the consumer already has it); what waits is the next one. Never blocks the caller:
 * {@link #enter} returns a stage that completes when there is room.
 */
final class Admission {

    private static final CompletableFuture<Void> ADMITTED = CompletableFuture.completedFuture(null);

    private final int maxInFlight;
    private final long maxInFlightBytes;
    private final AtomicInteger inFlight;
    private final Object lock = new Object();
    private long bytesInFlight; // under lock
    private CompletableFuture<Void> waitingForRoom;

    Admission(int maxInFlight, long maxInFlightBytes, AtomicInteger inFlight) {
        this.maxInFlight = maxInFlight;
        this.maxInFlightBytes = maxInFlightBytes;
        this.inFlight = inFlight;
    }

    /** What a frame counts for: its value's (the encoded image's) and key's bytes. */
    static long bytesOf(IncomingFrame in) {
        byte[] value = in.record().value();
        byte[] key = in.record().key();
        return (value == null ? 0 : value.length) + (key == null ? 0 : key.length);
    }

    /** Counts a frame of {@code bytes} in; the stage completes when the next frame may come. */
    CompletionStage<Void> enter(long bytes) {
        synchronized (lock) {
            int frames = inFlight.incrementAndGet();
            bytesInFlight += bytes;
            if (hasRoom(frames)) {
                return ADMITTED;
            }
            if (waitingForRoom == null) {
                waitingForRoom = new CompletableFuture<>();
            }
            return waitingForRoom;
        }
    }

    /** Counts a frame of {@code bytes} out (acknowledged, failed or handed back). */
    void leave(long bytes) {
        CompletableFuture<Void> waiting = null;
        synchronized (lock) {
            int frames = inFlight.decrementAndGet();
            bytesInFlight -= bytes;
            if (hasRoom(frames)) {
                waiting = waitingForRoom;
                waitingForRoom = null;
            }
            if (frames == 0) {
                lock.notifyAll();
            }
        }
        if (waiting != null) {
            waiting.complete(null); // outside the lock: the consumer's continuation may run right here
        }
    }

    private boolean hasRoom(int frames) {
        return frames < maxInFlight && bytesInFlight < maxInFlightBytes;
    }

    int inFlight() {
        return inFlight.get();
    }

    long bytesInFlight() {
        synchronized (lock) {
            return bytesInFlight;
        }
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
