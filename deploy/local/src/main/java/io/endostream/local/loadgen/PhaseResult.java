package io.endostream.local.loadgen;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of one phase. Latencies in milliseconds, client side (frame handed to the producer to answer polled),
 * over the frames after the warm-up. {@code unanswered} = frames with neither a mask nor a dead letter within the
 * grace time: skipped by the service's stale-frame policy, or lost; {@code serviceSkips} is the service's own skip
 * counter over the phase when it was readable.
 */
public record PhaseResult(String target, int repeat, String runId, int streams, double fps, double seconds,
                          long sent, long delivered, long deadLetters, long unanswered, long duplicates,
                          Long serviceSkips, long sendFailures, long latencySamples, double p50Ms, double p99Ms,
                          double p999Ms, double maxMs, double meanMs, double deliveredFps, double sendSeconds,
                          Map<String, Long> deadLetterReasons, List<Stream> perStream, List<Second> timeline) {

    /**
     * The answers to the frames sent in one second of the phase (warm-up included): how the latency moved over time,
     * e.g. what a fresh service's first seconds cost. {@code second} counts from the phase's first frame.
     */
    public record Second(int second, long answered, double p50Ms, double p99Ms, double maxMs) {
    }

    /** One stream's counts; {@code deliveredFps} = masks for its post-warm-up frames per second of that window. */
    public record Stream(String streamId, long sent, long delivered, long deadLetters, long unanswered,
                         long duplicates, double deliveredFps) {
    }

    static PhaseResult of(String target, int repeat, String runId, LoadSettings settings, List<Stream> streams,
                          Histogram latency, Map<String, Long> reasons, Long serviceSkips, long sendFailures,
                          double sendSeconds, List<Histogram> bySendSecond) {
        List<Second> timeline = new java.util.ArrayList<>();
        for (int s = 0; s < bySendSecond.size(); s++) {
            Histogram h = bySendSecond.get(s);
            if (h.getTotalCount() > 0) {
                timeline.add(new Second(s, h.getTotalCount(), h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0, h.getMaxValue() / 1000.0));
            }
        }
        long count = latency.getTotalCount();
        return new PhaseResult(target, repeat, runId, settings.streams(), settings.fps(), settings.seconds(),
                streams.stream().mapToLong(Stream::sent).sum(),
                streams.stream().mapToLong(Stream::delivered).sum(),
                streams.stream().mapToLong(Stream::deadLetters).sum(),
                streams.stream().mapToLong(Stream::unanswered).sum(),
                streams.stream().mapToLong(Stream::duplicates).sum(),
                serviceSkips, sendFailures, count,
                count == 0 ? Double.NaN : latency.getValueAtPercentile(50) / 1000.0,
                count == 0 ? Double.NaN : latency.getValueAtPercentile(99) / 1000.0,
                count == 0 ? Double.NaN : latency.getValueAtPercentile(99.9) / 1000.0,
                count == 0 ? Double.NaN : latency.getMaxValue() / 1000.0,
                count == 0 ? Double.NaN : latency.getMean() / 1000.0,
                streams.stream().mapToDouble(Stream::deliveredFps).average().orElse(0),
                sendSeconds, new TreeMap<>(reasons), streams, timeline);
    }
}
