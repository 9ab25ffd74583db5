package io.endostream.gateway.core;

import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.control.InstanceTelemetry.VersionStats;
import io.endostream.contracts.rollout.ModelRef;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest telemetry record of every inference instance, and windows of it for the analysis. Every restart is a new
 * instance id and a killed instance never sends a tombstone, so an instance silent for {@code ttl} (measured against
 * the newest record seen, not this machine's clock) is forgotten: the map stays as large as the live fleet.
 */
public final class TelemetryView {

    /** Default silence after which an instance is forgotten: far above any telemetry interval. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    private final Map<String, InstanceTelemetry> latest = new ConcurrentHashMap<>();
    private final Duration ttl;

    public TelemetryView() {
        this(DEFAULT_TTL);
    }

    public TelemetryView(Duration ttl) {
        this.ttl = ttl;
    }

    /** Applies a record of the telemetry topic; a tombstone removes the instance. */
    public void apply(String instanceId, byte[] value) {
        if (value == null) {
            latest.remove(instanceId);
        } else {
            put(ControlJson.read(value, InstanceTelemetry.class));
        }
    }

    public void put(InstanceTelemetry telemetry) {
        latest.put(telemetry.instanceId(), telemetry);
        Instant at = instant(telemetry);
        if (at != null) {
            Instant cutoff = at.minus(ttl);
            latest.values().removeIf(t -> {
                Instant seen = instant(t);
                return seen != null && seen.isBefore(cutoff);
            });
        }
    }

    private static Instant instant(InstanceTelemetry telemetry) {
        try {
            return telemetry.at() == null ? null : Instant.parse(telemetry.at());
        } catch (DateTimeParseException e) {
            return null; // not comparable: kept until a tombstone
        }
    }

    /** A copy of the latest record per instance: the baseline of an analysis window. */
    public Map<String, InstanceTelemetry> snapshot() {
        return Map.copyOf(latest);
    }

    /** Instances whose telemetry is known. */
    public List<InstanceTelemetry> instances() {
        return List.copyOf(latest.values());
    }

    /**
     * What every version did since {@code baseline}, summed over instances: per instance the latest record minus the
     * baseline's (the whole record when the instance is new or restarted since).
     */
    public Map<ModelRef, VersionStats> window(Map<String, InstanceTelemetry> baseline) {
        Map<ModelRef, VersionStats> sum = new HashMap<>();
        for (InstanceTelemetry now : latest.values()) {
            InstanceTelemetry before = baseline.get(now.instanceId());
            boolean sameLife = before != null && before.startedAt() != null && before.startedAt().equals(now.startedAt());
            for (VersionStats stats : now.versions()) {
                VersionStats earlier = null;
                if (sameLife) {
                    earlier = before.versions().stream().filter(v -> v.model().equals(stats.model())).findFirst()
                            .orElse(null);
                }
                VersionStats delta = stats.minus(earlier);
                sum.merge(stats.model(), delta, VersionStats::plus);
            }
        }
        return sum;
    }
}
