package io.endostream.local.stream;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of a publishing run, safe to update from producer callbacks. */
public final class StreamStats {

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile String lastError;

    void countSent(int size) {
        sent.incrementAndGet();
        bytes.addAndGet(size);
    }

    void countAcknowledged() {
        acknowledged.incrementAndGet();
    }

    void countFailed(Exception e) {
        failed.incrementAndGet();
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    void countLate() {
        late.incrementAndGet();
    }

    /** Frames handed to the producer. */
    public long sent() {
        return sent.get();
    }

    /** Frames the broker acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Frames the producer could not deliver. */
    public long failed() {
        return failed.get();
    }

    /** Frames rendered or read later than their due time by more than one frame period (the source fell behind). */
    public long late() {
        return late.get();
    }

    public long bytes() {
        return bytes.get();
    }

    /** The last delivery error, or null. */
    public String lastError() {
        return lastError;
    }

    @Override
    public String toString() {
        return String.format("sent %d, acknowledged %d, failed %d, late %d, %.1f MB", sent(), acknowledged(), failed(),
                late(), bytes() / 1e6) + (lastError == null ? "" : " (last error: " + lastError + ")");
    }
}
