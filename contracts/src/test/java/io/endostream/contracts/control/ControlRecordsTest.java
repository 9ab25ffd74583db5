package io.endostream.contracts.control;

import io.endostream.contracts.ValidationException;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ControlRecordsTest {

    private static final ModelRef V1 = new ModelRef("polyp-unet", "1");
    private static final ModelRef V2 = new ModelRef("polyp-unet", "2");

    @Test
    void planWithDeploymentRolledBackAndStatusRoundTrips() {
        RolloutStatus status = new RolloutStatus(RolloutStatus.CANARY, V2, List.of(5.0, 25.0, 50.0, 100.0), 1,
                "2026-11-29T09:00:00Z", null, Gates.DEFAULTS, null, "step 0 gates passed");
        RolloutPlan plan = new RolloutPlan(9, V1, V2, 25, Map.of(), null, 0, Set.of(), "2026-11-29T09:00:00Z",
                "gateway/analysis", "default", Set.of(new ModelRef("polyp-unet", "0")), status);
        RolloutPlan back = RolloutPlan.fromJson(plan.toJsonBytes()).validate();
        assertEquals(plan, back);
        assertEquals(status, back.status());
    }

    @Test
    void aPlanOfTheFirstContractVersionKeepsItsShapeAndMeansTheDefaultDeployment() {
        RolloutPlan old = RolloutPlan.allOn(V1, 3, "2026-11-29T09:00:00Z", "op");
        String json = new String(old.toJsonBytes(), StandardCharsets.UTF_8);
        assertFalse(json.contains("rolledBack") || json.contains("deployment") || json.contains("status"), json);
        assertEquals("default", old.deploymentName());
    }

    @Test
    void followersTakeOnlyNewerRevisions() {
        RolloutPlan five = RolloutPlan.allOn(V1, 5, null, "op");
        assertTrue(five.isNewerThan(null));
        assertTrue(RolloutPlan.allOn(V2, 6, null, "op").isNewerThan(five));
        assertFalse(RolloutPlan.allOn(V2, 5, null, "op").isNewerThan(five), "same revision is not newer");
        assertFalse(RolloutPlan.allOn(V2, 4, null, "op").isNewerThan(five));
    }

    @Test
    void rolledBackMayNotNameStableOrCanaryAndDeploymentIsChecked() {
        RolloutPlan bad = new RolloutPlan(1, V1, V2, 5, null, null, 0, null, null, null, "bad deployment!",
                Set.of(V1, V2), null);
        ValidationException e = assertThrows(ValidationException.class, bad::validate);
        assertTrue(e.problems().contains("rolledBack must not contain the stable version polyp-unet:1"), e.problems().toString());
        assertTrue(e.problems().contains("rolledBack must not contain the canary polyp-unet:2"), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("deployment must be")), e.problems().toString());
    }

    @Test
    void assignmentRoundTripsAndExpires() {
        StreamAssignment a = new StreamAssignment("room-3", "default", V2, StreamAssignment.CANARY, 7,
                "2026-11-29T09:00:00Z", "inf-1", "2026-11-29T09:00:10Z");
        assertEquals(a, ControlJson.read(ControlJson.write(a), StreamAssignment.class));
        Instant seen = Instant.parse("2026-11-29T09:00:10Z");
        assertFalse(a.expired(seen.plusSeconds(60), Duration.ofMinutes(5)));
        assertTrue(a.expired(seen.plusSeconds(301), Duration.ofMinutes(5)));
        assertEquals("2026-11-29T09:01:00Z", a.seen(seen.plusSeconds(50)).lastSeenAt());
    }

    @Test
    void modelVersionRecordRoundTripsAndDeprecates() {
        ModelManifest manifest = new ModelManifest("polyp-unet", "2", "a".repeat(64), null,
                new ModelManifest.Input("input", "NCHW", 128, 128, "RGB", new double[]{0, 0, 0}, new double[]{1, 1, 1},
                        1 / 255.0, true, 8), new ModelManifest.Output("mask", "none", 0.5), null, null, null);
        ModelVersionRecord r = new ModelVersionRecord(manifest, 1234, "/api/artifacts/" + "a".repeat(64),
                ModelVersionRecord.ACTIVE, "2026-11-29T09:00:00Z", "alice", null, null, null);
        assertEquals(r, ControlJson.read(ControlJson.write(r), ModelVersionRecord.class));
        assertEquals("polyp-unet:2", r.key());
        ModelVersionRecord d = r.deprecate("2026-11-29T10:00:00Z", "bob", "low Dice");
        assertTrue(d.deprecated());
        assertEquals(manifest, d.manifest());
    }

    @Test
    void telemetryWindowsAreDifferencesAndQuantilesComeFromTheHistogram() {
        int n = InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1;
        long[] early = new long[n];
        long[] late = new long[n];
        early[InstanceTelemetry.latencyBucket(9)] = 10;
        late[InstanceTelemetry.latencyBucket(9)] = 60;
        late[InstanceTelemetry.latencyBucket(180)] = 50;
        var a = new InstanceTelemetry.VersionStats(V2, 10, 10, 0, 0, 0, early, 10, 10, 0, 0, 0, 0, 0);
        var b = new InstanceTelemetry.VersionStats(V2, 110, 108, 2, 0, 0, late, 10, 200, 40, 1, 36, 30, 0);
        var window = b.minus(a);
        assertEquals(100, window.frames());
        assertEquals(2, window.deadLetters());
        assertEquals(10, window.latencyQuantileMs(0.5));
        assertEquals(200, window.latencyQuantileMs(0.99));
        assertEquals(200, window.plus(window).latencyQuantileMs(0.99));
        assertEquals(80, window.plus(window).shadowFrames());
        InstanceTelemetry t = new InstanceTelemetry("inf-1", "default", "2026-11-29T09:00:00Z", "2026-11-29T09:00:05Z",
                7, false, List.of(b));
        assertEquals(t, ControlJson.read(ControlJson.write(t), InstanceTelemetry.class));
        assertArrayEquals(late, ControlJson.read(ControlJson.write(t), InstanceTelemetry.class).versions().get(0).latencyCounts());
    }

    @Test
    void gatesNameEveryBadField() {
        Gates bad = new Gates(0, 2, -1, -1, 0, 1.5, -0.1);
        assertEquals(List.of("gates.minFrames must be >= 1, was 0", "gates.maxErrorRate must be within 0..1, was 2.0",
                "gates.maxP99Ms must be >= 0 (0 = off), was -1.0", "gates.maxP99Ratio must be >= 0 (0 = off), was -1.0",
                "gates.minShadowFrames must be >= 1, was 0", "gates.minShadowDice must be within 0..1 (0 = off), was 1.5",
                "gates.minShadowIou must be within 0..1 (0 = off), was -0.1"), bad.problems());
        assertEquals(List.of(), Gates.DEFAULTS.problems());
    }

    @Test
    void auditEntryRoundTrips() {
        AuditEntry e = new AuditEntry("2026-11-29T09:00:00Z", "default", "gateway/analysis", "rollback",
                "gate shadowDice failed: 0.02 < 0.7", 12, Map.of("frames", 250, "shadowDice", 0.02));
        AuditEntry back = ControlJson.read(ControlJson.write(e), AuditEntry.class);
        assertEquals(e.reason(), back.reason());
        assertEquals(0.02, ((Number) back.figures().get("shadowDice")).doubleValue());
    }

    @Test
    void aTombstoneIsNotADocument() {
        assertThrows(ValidationException.class, () -> ControlJson.read((byte[]) null, StreamAssignment.class));
        assertThrows(ValidationException.class, () -> ControlJson.read("{\"streamId\": ", StreamAssignment.class));
    }
}
