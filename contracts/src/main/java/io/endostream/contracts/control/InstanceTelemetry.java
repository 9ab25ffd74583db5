package io.endostream.contracts.control;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.endostream.contracts.rollout.ModelRef;

import java.util.List;

/**
 * What one inference instance has done since it started, per model version: the value on the compacted
 * {@code endostream.telemetry} topic, key = instance id. Published every few seconds (the instance's
 * {@code telemetry interval}); counters are <b>cumulative since {@code startedAt}</b>, so the latest record per key is
 * all a reader needs (compaction loses nothing) and the figures of a time window are the difference of two records
 * of the same {@code startedAt}. A new {@code startedAt} means the instance restarted: its counters start again at 0.
 * A tombstone means the instance shut down cleanly.
 *
 * @param instanceId     unique per process (e.g. host name + pid)
 * @param deployment     deployment whose plan it follows
 * @param startedAt      RFC 3339 time the instance started; counters count from here
 * @param at             RFC 3339 time of this record
 * @param planRevision   revision of the plan it routes by (-1 when none)
 * @param planStale      true when it has not been able to read the control topics for longer than its
 *                       staleness limit: it keeps serving on the last plan it knows
 * @param versions       one entry per version it served, shadowed or failed to load since it started
 */
@JsonPropertyOrder({"instanceId", "deployment", "startedAt", "at", "planRevision", "planStale", "versions"})
public record InstanceTelemetry(String instanceId, String deployment, String startedAt, String at, long planRevision,
                                boolean planStale, List<VersionStats> versions) {

    public InstanceTelemetry {
        versions = versions == null ? List.of() : List.copyOf(versions);
    }

    /** Upper bounds (ms, inclusive) of the end-to-end latency histogram buckets; a last bucket counts the rest. */
    public static final double[] LATENCY_BOUNDS_MS =
            {1, 2, 3, 5, 7.5, 10, 15, 20, 30, 40, 50, 75, 100, 150, 200, 300, 500, 1000, 2000, 5000};

    /**
     * Per-version counters, cumulative since the instance started.
     *
     * @param model            the version
     * @param frames           frames of its primary streams that ended as a mask, dead letter or error
     * @param masks            masks published
     * @param deadLetters      frames dead-lettered
     * @param errors           frames that failed in inference (also dead-lettered as {@code processing-failed}),
     *                         plus shadow frames this version failed on as a shadow (those are not in {@code frames})
     * @param skipped          stale frames skipped
     * @param latencyCounts    end-to-end (capture to mask) counts per {@link #LATENCY_BOUNDS_MS} bucket, plus one
     *                         for larger values: {@code LATENCY_BOUNDS_MS.length + 1} entries
     * @param p50Ms            end-to-end p50 since start, ms (from the histogram: a bucket's upper bound)
     * @param p99Ms            end-to-end p99 since start, ms
     * @param shadowFrames     frames this version processed as a shadow and compared with the primary mask
     * @param shadowDropped    shadow frames dropped because the shadow budget was full
     * @param shadowDiceSum    sum of Dice(shadow mask, primary mask) over shadowFrames (empty vs empty = 1)
     * @param shadowIouSum     sum of IoU(shadow mask, primary mask) over shadowFrames (empty vs empty = 1)
     * @param loadFailures     times the version failed to fetch, verify or load here (e.g. SHA-256 mismatch)
     */
    @JsonPropertyOrder({"model", "frames", "masks", "deadLetters", "errors", "skipped", "latencyCounts", "p50Ms",
            "p99Ms", "shadowFrames", "shadowDropped", "shadowDiceSum", "shadowIouSum", "loadFailures"})
    public record VersionStats(ModelRef model, long frames, long masks, long deadLetters, long errors, long skipped,
                               long[] latencyCounts, double p50Ms, double p99Ms, long shadowFrames, long shadowDropped,
                               double shadowDiceSum, double shadowIouSum, long loadFailures) {

        /** this - earlier (same instance life): the figures of the window between the two records. */
        public VersionStats minus(VersionStats earlier) {
            if (earlier == null) {
                return this;
            }
            long[] counts = new long[LATENCY_BOUNDS_MS.length + 1];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = at(latencyCounts, i) - at(earlier.latencyCounts, i);
            }
            return new VersionStats(model, frames - earlier.frames, masks - earlier.masks,
                    deadLetters - earlier.deadLetters, errors - earlier.errors, skipped - earlier.skipped, counts,
                    Double.NaN, Double.NaN, shadowFrames - earlier.shadowFrames, shadowDropped - earlier.shadowDropped,
                    shadowDiceSum - earlier.shadowDiceSum, shadowIouSum - earlier.shadowIouSum,
                    loadFailures - earlier.loadFailures);
        }

        /** Sum of two windows (e.g. of two instances). */
        public VersionStats plus(VersionStats other) {
            if (other == null) {
                return this;
            }
            long[] counts = new long[LATENCY_BOUNDS_MS.length + 1];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = at(latencyCounts, i) + at(other.latencyCounts, i);
            }
            return new VersionStats(model, frames + other.frames, masks + other.masks, deadLetters + other.deadLetters,
                    errors + other.errors, skipped + other.skipped, counts, Double.NaN, Double.NaN,
                    shadowFrames + other.shadowFrames, shadowDropped + other.shadowDropped,
                    shadowDiceSum + other.shadowDiceSum, shadowIouSum + other.shadowIouSum,
                    loadFailures + other.loadFailures);
        }

        /** The {@code q} quantile (0..1) of the latency histogram, as the upper bound of its bucket; NaN if empty. */
        public double latencyQuantileMs(double q) {
            return quantile(latencyCounts, q);
        }

        private static long at(long[] values, int i) {
            return values == null || i >= values.length ? 0 : values[i];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof VersionStats v && java.util.Objects.equals(model, v.model) && frames == v.frames
                    && masks == v.masks && deadLetters == v.deadLetters && errors == v.errors && skipped == v.skipped
                    && java.util.Arrays.equals(latencyCounts, v.latencyCounts)
                    && Double.compare(p50Ms, v.p50Ms) == 0 && Double.compare(p99Ms, v.p99Ms) == 0
                    && shadowFrames == v.shadowFrames && shadowDropped == v.shadowDropped
                    && Double.compare(shadowDiceSum, v.shadowDiceSum) == 0
                    && Double.compare(shadowIouSum, v.shadowIouSum) == 0 && loadFailures == v.loadFailures;
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(model, frames, masks, deadLetters, errors, skipped,
                    java.util.Arrays.hashCode(latencyCounts), p50Ms, p99Ms, shadowFrames);
        }

        @Override
        public String toString() {
            return "VersionStats[" + model + " frames=" + frames + " masks=" + masks + " deadLetters=" + deadLetters
                    + " errors=" + errors + " shadowFrames=" + shadowFrames + "]";
        }
    }

    /** Index of the latency bucket holding {@code ms}. */
    public static int latencyBucket(double ms) {
        for (int i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
            if (ms <= LATENCY_BOUNDS_MS[i]) {
                return i;
            }
        }
        return LATENCY_BOUNDS_MS.length;
    }

    /** The {@code q} quantile of a histogram over {@link #LATENCY_BOUNDS_MS}: its bucket's upper bound (ms). */
    public static double quantile(long[] counts, double q) {
        if (counts == null) {
            return Double.NaN;
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i] : Double.POSITIVE_INFINITY;
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
