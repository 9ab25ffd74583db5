package io.endostream.gateway.dashboard;

import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.control.InstanceTelemetry.VersionStats;
import io.endostream.contracts.rollout.ModelRef;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TelemetrySeriesTest {

    static VersionStats stats(String version, long masks, double latencyMs, long skipped, long dlq, long shadow,
                              double diceSum) {
        long[] counts = new long[InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1];
        counts[InstanceTelemetry.latencyBucket(latencyMs)] = masks;
        return new VersionStats(new ModelRef("polyp-unet", version), masks + dlq, masks, dlq, 0, skipped, counts,
                Double.NaN, Double.NaN, shadow, 0, diceSum, diceSum, 0);
    }

    static Map<String, InstanceTelemetry> snapshot(String startedAt, VersionStats... versions) {
        return Map.of("inf-1", new InstanceTelemetry("inf-1", "default", startedAt, startedAt, 1, false, List.of(versions)));
    }

    @Test
    void pointsAreTheWindowBetweenSamples() {
        TelemetrySeries s = new TelemetrySeries(10, 4);
        assertTrue(s.sample(0, snapshot("t0", stats("1", 100, 30, 0, 0, 0, 0))).isEmpty(), "first sample = baseline");
        Map<String, TelemetrySeries.Point> p = s.sample(2000, snapshot("t0", stats("1", 150, 30, 4, 1, 0, 0),
                stats("2", 0, 1, 0, 0, 20, 17)));
        TelemetrySeries.Point v1 = p.get("polyp-unet:1");
        assertEquals(25.0, v1.fps(), "50 masks in 2 s");
        assertEquals(30.0, v1.p99Ms());
        assertEquals(4, v1.skipped());
        assertEquals(1, v1.deadLetters());
        assertNull(v1.shadowDice());
        assertEquals(0.85, p.get("polyp-unet:2").shadowDice());
        assertNull(p.get("polyp-unet:2").p50Ms(), "no latency sample in the window");
    }

    @Test
    void aRestartedInstanceCountsFromItsNewStartAndMemoryIsBounded() {
        TelemetrySeries s = new TelemetrySeries(3, 2);
        s.sample(0, snapshot("t0", stats("1", 1000, 30, 0, 0, 0, 0)));
        Map<String, TelemetrySeries.Point> p = s.sample(1000, snapshot("t1", stats("1", 10, 30, 0, 0, 0, 0)));
        assertEquals(10.0, p.get("polyp-unet:1").fps());
        for (int i = 2; i < 20; i++) {
            s.sample(i * 1000L, snapshot("t1", stats("1", 10L * i, 30, 0, 0, 0, 0), stats("v" + i, i, 5, 0, 0, 0, 0)));
        }
        assertEquals(2, s.history().size());
        s.history().values().forEach(points -> assertTrue(points.size() <= 3));
    }
}
