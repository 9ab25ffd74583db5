package io.endostream.gateway.core;

import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.rollout.ModelRef;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Builds cumulative telemetry of one fake instance, the way an inference instance reports it. */
final class Telemetry {

    private final String instance;
    private final Map<ModelRef, long[]> counts = new HashMap<>(); // frames, deadLetters, errors, shadowFrames
    private final Map<ModelRef, long[]> latency = new HashMap<>();
    private final Map<ModelRef, double[]> agreement = new HashMap<>();

    Telemetry(String instance) {
        this.instance = instance;
    }

    /** {@code frames} primary frames at {@code latencyMs}, {@code failures} of them dead-lettered. */
    Telemetry served(ModelRef model, long frames, long failures, double latencyMs) {
        long[] c = counts.computeIfAbsent(model, m -> new long[4]);
        c[0] += frames;
        c[1] += failures;
        latency.computeIfAbsent(model, m -> new long[InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1])
                [InstanceTelemetry.latencyBucket(latencyMs)] += frames - failures;
        return this;
    }

    /** {@code frames} shadow frames with mean Dice {@code dice} and IoU {@code iou} against the primary masks. */
    Telemetry shadowed(ModelRef model, long frames, double dice, double iou) {
        counts.computeIfAbsent(model, m -> new long[4])[3] += frames;
        double[] a = agreement.computeIfAbsent(model, m -> new double[2]);
        a[0] += dice * frames;
        a[1] += iou * frames;
        return this;
    }

    InstanceTelemetry record() {
        List<InstanceTelemetry.VersionStats> versions = new ArrayList<>();
        counts.forEach((model, c) -> {
            long[] lat = latency.getOrDefault(model, new long[InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1]).clone();
            double[] a = agreement.getOrDefault(model, new double[2]);
            versions.add(new InstanceTelemetry.VersionStats(model, c[0], c[0] - c[1], c[1], 0, 0, lat,
                    InstanceTelemetry.quantile(lat, 0.5), InstanceTelemetry.quantile(lat, 0.99), c[3], 0, a[0], a[1], 0));
        });
        return new InstanceTelemetry(instance, "default", "2026-11-29T09:00:00Z", "2026-11-29T09:00:05Z", 1, false,
                versions);
    }
}
