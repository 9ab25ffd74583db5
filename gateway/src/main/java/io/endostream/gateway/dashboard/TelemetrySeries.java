package io.endostream.gateway.dashboard;

import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.control.InstanceTelemetry.VersionStats;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.gateway.core.TelemetryView;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-version time series for the dashboard's live charts, from the cumulative telemetry of the inference instances:
 * each {@link #sample} takes the difference to the previous sample (summed over instances, as the rollout analysis
 * does) and turns it into a point: delivered frames per second, end-to-end p50/p99 of the window (histogram bucket
 * bounds), skips, dead letters, errors and the mean shadow Dice. Bounded: {@code maxPoints} per version and
 * {@code maxVersions} versions (least recently active dropped). An instance that restarted counts from its new start.
 * Not thread-safe: one scheduler thread samples; readers get copies.
 */
public final class TelemetrySeries {

    /** One window's figures; null where the window has no data (no latency samples, no shadow frames). */
    public record Point(long at, double fps, Double p50Ms, Double p99Ms, long frames, long skipped, long deadLetters,
                        long errors, Double shadowDice, long shadowFrames) {
    }

    private final int maxPoints;
    private final int maxVersions;
    private final LinkedHashMap<String, ArrayDeque<Point>> series;
    private Map<String, InstanceTelemetry> previous;
    private long previousAt;

    public TelemetrySeries(int maxPoints, int maxVersions) {
        if (maxPoints < 1 || maxVersions < 1) {
            throw new IllegalArgumentException("maxPoints and maxVersions must be at least 1");
        }
        this.maxPoints = maxPoints;
        this.maxVersions = maxVersions;
        this.series = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ArrayDeque<Point>> eldest) {
                return size() > TelemetrySeries.this.maxVersions;
            }
        };
    }

    /**
     * Takes a point per version from the telemetry {@code snapshot} (instance id to latest record) at {@code nowMillis};
     * returns the new points by version ({@code name:version}). The first call only sets the baseline.
     */
    public synchronized Map<String, Point> sample(long nowMillis, Map<String, InstanceTelemetry> snapshot) {
        Map<String, Point> added = new TreeMap<>();
        if (previous != null && nowMillis > previousAt) {
            TelemetryView now = new TelemetryView();
            snapshot.values().forEach(now::put);
            double seconds = (nowMillis - previousAt) / 1000.0;
            for (Map.Entry<ModelRef, VersionStats> e : now.window(previous).entrySet()) {
                VersionStats w = e.getValue();
                long shadowFrames = w.shadowFrames();
                Point p = new Point(nowMillis, Math.round(w.masks() / seconds * 100) / 100.0,
                        finite(w.latencyQuantileMs(0.5)), finite(w.latencyQuantileMs(0.99)), w.frames(), w.skipped(),
                        w.deadLetters(), w.errors(),
                        shadowFrames > 0 ? Math.round(w.shadowDiceSum() / shadowFrames * 10000) / 10000.0 : null,
                        shadowFrames);
                String key = e.getKey().toString();
                ArrayDeque<Point> points = series.computeIfAbsent(key, k -> new ArrayDeque<>());
                points.addLast(p);
                while (points.size() > maxPoints) {
                    points.removeFirst();
                }
                added.put(key, p);
            }
        }
        previous = Map.copyOf(snapshot);
        previousAt = nowMillis;
        return added;
    }

    /** Every version's points, oldest first. */
    public synchronized Map<String, List<Point>> history() {
        Map<String, List<Point>> out = new TreeMap<>();
        series.forEach((k, v) -> out.put(k, new ArrayList<>(v)));
        return out;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
