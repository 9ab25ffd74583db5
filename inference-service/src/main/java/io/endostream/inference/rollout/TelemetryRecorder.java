package io.endostream.inference.rollout;

import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.rollout.ModelRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Per-version counters since this instance started, in the shape of contracts' {@link InstanceTelemetry}: the
 * frame path reports each outcome here ({@link #mask}, {@link #deadLetter}, {@link #error}, {@link #skip},
 * {@link #shadow}, {@link #shadowDropped}); {@link TelemetryPublisher} publishes snapshots. Thread-safe, lock-free.
 */
public final class TelemetryRecorder {

    private static final int BUCKETS = InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1;

    private static final class Counters {
        final AtomicLong frames = new AtomicLong();
        final AtomicLong masks = new AtomicLong();
        final AtomicLong deadLetters = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLongArray latency = new AtomicLongArray(BUCKETS);
        final AtomicLong shadowFrames = new AtomicLong();
        final AtomicLong shadowDropped = new AtomicLong();
        final DoubleAdder dice = new DoubleAdder();
        final DoubleAdder iou = new DoubleAdder();
        final AtomicLong loadFailures = new AtomicLong();
    }

    private final Map<ModelRef, Counters> byVersion = new ConcurrentHashMap<>();

    private Counters of(ModelRef ref) {
        return byVersion.computeIfAbsent(ref, r -> new Counters());
    }

    /** A mask published for a frame served by {@code ref}, {@code endToEndMs} after capture. */
    public void mask(ModelRef ref, double endToEndMs) {
        Counters c = of(ref);
        c.frames.incrementAndGet();
        c.masks.incrementAndGet();
        c.latency.incrementAndGet(InstanceTelemetry.latencyBucket(endToEndMs));
    }

    /** A frame routed to {@code ref} that was dead-lettered. */
    public void deadLetter(ModelRef ref) {
        Counters c = of(ref);
        c.frames.incrementAndGet();
        c.deadLetters.incrementAndGet();
    }

    /** A frame whose inference failed on {@code ref} (also dead-lettered: count it here, not in deadLetter). */
    public void error(ModelRef ref) {
        Counters c = of(ref);
        c.frames.incrementAndGet();
        c.errors.incrementAndGet();
    }

    public void skip(ModelRef ref) {
        of(ref).skipped.incrementAndGet();
    }

    /** A shadow mask of {@code ref} compared with the primary mask of the same frame. */
    public void shadow(ModelRef ref, double dice, double iou) {
        Counters c = of(ref);
        c.shadowFrames.incrementAndGet();
        c.dice.add(dice);
        c.iou.add(iou);
    }

    /**
     * The candidate {@code ref} failed on a shadow frame: counted in {@code errors} but not in {@code frames} (it
     * served no frame), which is how the gateway's shadow-phase analysis reads it: errors / (shadowFrames + errors).
     */
    public void shadowError(ModelRef ref) {
        of(ref).errors.incrementAndGet();
    }

    public void shadowDropped(ModelRef ref) {
        of(ref).shadowDropped.incrementAndGet();
    }

    public void loadFailure(ModelRef ref) {
        of(ref).loadFailures.incrementAndGet();
    }

    /** The counters of every version as contracts' VersionStats. */
    public List<InstanceTelemetry.VersionStats> snapshot() {
        List<InstanceTelemetry.VersionStats> out = new ArrayList<>();
        byVersion.forEach((ref, c) -> {
            long[] latency = new long[BUCKETS];
            for (int i = 0; i < BUCKETS; i++) {
                latency[i] = c.latency.get(i);
            }
            out.add(new InstanceTelemetry.VersionStats(ref, c.frames.get(), c.masks.get(), c.deadLetters.get(),
                    c.errors.get(), c.skipped.get(), latency, finite(InstanceTelemetry.quantile(latency, 0.5)),
                    finite(InstanceTelemetry.quantile(latency, 0.99)), c.shadowFrames.get(), c.shadowDropped.get(),
                    c.dice.sum(), c.iou.sum(), c.loadFailures.get()));
        });
        return out;
    }

    private static double finite(double v) {
        return Double.isFinite(v) ? v : 0;
    }

    /** Dice and IoU of two binary masks of the same size (non-zero = polyp); two empty masks agree fully. */
    public static double[] agreement(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("masks differ in size: " + a.length + " vs " + b.length);
        }
        long both = 0;
        long onlyA = 0;
        long onlyB = 0;
        for (int i = 0; i < a.length; i++) {
            boolean x = a[i] != 0;
            boolean y = b[i] != 0;
            if (x && y) {
                both++;
            } else if (x) {
                onlyA++;
            } else if (y) {
                onlyB++;
            }
        }
        if (both + onlyA + onlyB == 0) {
            return new double[]{1, 1};
        }
        return new double[]{2.0 * both / (2 * both + onlyA + onlyB), (double) both / (both + onlyA + onlyB)};
    }
}
