package io.endostream.gateway.core;

import io.endostream.contracts.Topics;
import io.endostream.contracts.control.AuditEntry;
import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.Gates;
import io.endostream.contracts.control.RolloutStatus;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.contracts.rollout.StickyRouter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rollout state machine, gates, automatic rollback and audit, driven without Quarkus or Kafka. */
class RolloutControllerTest {

    static final ModelRef V1 = new ModelRef("polyp-unet", "1");
    static final ModelRef V2 = new ModelRef("polyp-unet", "2");
    static final ModelRef V3 = new ModelRef("polyp-unet", "3");
    static final Gates GATES = new Gates(100, 0.01, 0, 1.5, 50, 0.7, 0);

    @TempDir
    Path dir;
    InMemoryControlLog log;
    GatewayCore core;
    RolloutController rollouts;

    @BeforeEach
    void setUp() throws Exception {
        log = new InMemoryControlLog();
        core = newCore(log);
        rollouts = core.rollouts();
        for (ModelRef v : List.of(V1, V2, V3)) {
            register(v);
        }
        rollouts.setStable("default", "polyp-unet:1", "alice", "first version");
    }

    private GatewayCore newCore(InMemoryControlLog log) {
        return new GatewayCore(new ArtifactStore(dir.resolve("store")), (m, f) -> List.of(), log, TopicNames.DEFAULTS,
                Clock.fixed(Instant.parse("2026-11-29T09:00:00Z"), ZoneOffset.UTC),
                new RolloutController.Settings(List.of(5.0, 25.0, 50.0, 100.0), GATES));
    }

    private void register(ModelRef v) throws Exception {
        Path onnx = Files.writeString(dir.resolve("model-" + v.version() + ".onnx"), "onnx bytes of " + v);
        String manifest = """
                {"name":"%s","version":"%s","input":{"name":"input","layout":"NCHW","width":128,"height":128,
                 "channelOrder":"RGB","mean":[0,0,0],"std":[1,1,1],"scale":0.0039,"dynamicBatch":true,"maxBatch":8},
                 "output":{"name":"mask","activation":"none","threshold":0.5}}""".formatted(v.name(), v.version());
        core.registry().register(manifest.getBytes(StandardCharsets.UTF_8), onnx, "alice");
    }

    private RolloutController.StartRequest canary(ModelRef candidate, List<Double> steps) {
        return new RolloutController.StartRequest(candidate.toString(), steps, 0.0, Set.of(), false, GATES, null);
    }

    @Test
    void canaryStepsAdvanceWhenGatesPassAndTheLastStepPromotes() {
        RolloutPlan started = rollouts.start("default", canary(V2, List.of(5.0, 50.0, 100.0)), "alice");
        assertEquals(V2, started.canary());
        assertEquals(5.0, started.canaryPercent());
        assertEquals(List.of(), rollouts.tick(), "no telemetry yet: wait");

        Telemetry inst = new Telemetry("inf-1");
        core.telemetry().put(inst.served(V1, 1000, 0, 18).served(V2, 99, 0, 18).record());
        assertEquals(List.of(), rollouts.tick(), "99 < minFrames 100: wait");
        core.telemetry().put(inst.served(V2, 1, 0, 18).record());
        assertEquals(1, rollouts.tick().size());
        RolloutPlan step1 = rollouts.plan("default");
        assertEquals(50.0, step1.canaryPercent());
        assertEquals(1, step1.status().step());

        assertEquals(List.of(), rollouts.tick(), "the new step starts a new sample");
        core.telemetry().put(inst.served(V1, 200, 0, 18).served(V2, 150, 1, 18).record());
        rollouts.tick();
        assertEquals(100.0, rollouts.plan("default").canaryPercent());
        core.telemetry().put(inst.served(V1, 200, 0, 18).served(V2, 150, 0, 18).record());
        rollouts.tick();

        RolloutPlan promoted = rollouts.plan("default");
        assertEquals(V2, promoted.stable());
        assertNull(promoted.canary());
        assertEquals(RolloutStatus.PROMOTED, promoted.status().phase());
        assertEquals(V1, promoted.status().previous());
        AuditEntry last = core.audit().latest("default", 1).get(0);
        assertEquals("promote", last.action());
        assertEquals(RolloutController.ANALYSIS, last.actor());
        assertEquals(promoted.revision(), last.planRevision());
        assertEquals(List.of("promote", "step", "step", "start", "set-stable"),
                core.audit().latest("default", 10).stream().map(AuditEntry::action).toList());
    }

    @Test
    void aCandidateThatSegmentsNothingFailsItsShadowGateAndIsRolledBackWithTheReason() {
        rollouts.start("default", new RolloutController.StartRequest("polyp-unet:3", null, 20.0, Set.of("room-9"),
                true, GATES, "try v3 in shadow"), "alice");
        RolloutPlan shadow = rollouts.plan("default");
        assertNull(shadow.canary(), "no live stream on the candidate in the shadow phase");
        assertEquals(V3, shadow.shadow());
        rollouts.tick();
        core.telemetry().put(new Telemetry("inf-1").served(V1, 500, 0, 15).shadowed(V3, 120, 0.02, 0.01).record());
        List<String> decisions = rollouts.tick();
        assertEquals(1, decisions.size());

        RolloutPlan back = rollouts.plan("default");
        assertEquals(V1, back.stable());
        assertNull(back.canary());
        assertNull(back.shadow());
        assertEquals(Set.of(V3), back.rolledBack());
        assertEquals(RolloutStatus.ROLLED_BACK, back.status().phase());
        AuditEntry entry = core.audit().latest("default", 1).get(0);
        assertEquals("rollback", entry.action());
        assertEquals(RolloutController.ANALYSIS, entry.actor());
        assertEquals("gate shadowDice failed: 0.02 < 0.7 over 120 shadow frames", entry.reason());
        assertEquals(0.02, ((Number) entry.figures().get("shadowDice")).doubleValue());
        // streams that ran on V3 (none live here, but e.g. a pinned one) move back on their next frame
        var assignment = StickyRouter.route(new RolloutPlan(1, V1, V3, 100, Map.of(), null, 0, Set.of(), null, "t"),
                null, "room-1", "inf-1", Instant.now()).assignment();
        assertEquals(V1, StickyRouter.route(back, assignment, "room-1", "inf-1", Instant.now()).primary());
    }

    @Test
    void aShadowThatAgreesMovesOnToTheFirstCanaryStep() {
        rollouts.start("default", new RolloutController.StartRequest("polyp-unet:2", List.of(25.0, 100.0), 10.0, null,
                true, GATES, null), "alice");
        rollouts.tick();
        core.telemetry().put(new Telemetry("inf-1").served(V1, 500, 0, 15).shadowed(V2, 60, 0.93, 0.88).record());
        rollouts.tick();
        RolloutPlan canary = rollouts.plan("default");
        assertEquals(RolloutStatus.CANARY, canary.status().phase());
        assertEquals(V2, canary.canary());
        assertEquals(25.0, canary.canaryPercent());
        assertEquals(V2, canary.shadow(), "shadowing goes on over the stable streams");
    }

    @Test
    void errorsAndLatencyGatesRollBack() {
        rollouts.start("default", canary(V2, null), "alice");
        rollouts.tick();
        core.telemetry().put(new Telemetry("inf-1").served(V1, 500, 0, 15).served(V2, 200, 10, 15).record());
        rollouts.tick();
        assertEquals("gate errorRate failed: 0.05 > 0.01 over 200 frames", core.audit().latest("default", 1).get(0).reason());

        rollouts.start("default", canary(V3, null), "alice");
        rollouts.tick();
        core.telemetry().put(new Telemetry("inf-2").served(V1, 500, 0, 15).served(V3, 200, 0, 180).record());
        rollouts.tick();
        AuditEntry e = core.audit().latest("default", 1).get(0);
        assertEquals("rollback", e.action());
        assertTrue(e.reason().startsWith("gate p99Ratio failed: 13.3333 > 1.5"), e.reason());
    }

    @Test
    void operatorsPauseResumePromoteAbortAndPin() {
        rollouts.start("default", canary(V2, null), "alice");
        assertEquals(RolloutStatus.PAUSED, rollouts.pause("default", "bob", "look at it").status().phase());
        core.telemetry().put(new Telemetry("inf-1").served(V2, 100000, 50000, 15).record());
        assertEquals(List.of(), rollouts.tick(), "a paused rollout is not judged");
        assertThrows(ApiException.class, () -> rollouts.pause("default", "bob", null));
        RolloutPlan resumed = rollouts.resume("default", "bob", null);
        assertEquals(RolloutStatus.CANARY, resumed.status().phase());
        RolloutPlan pinned = rollouts.pin("default", "room-3", "polyp-unet:2", "bob", "surgeon asked");
        assertEquals(V2, pinned.pins().get("room-3"));
        RolloutPlan aborted = rollouts.abort("default", "bob", "not today");
        assertEquals(Set.of(V2), aborted.rolledBack());
        assertEquals(Map.of(), aborted.pins(), "pins to the rolled-back version go with it");
        assertEquals("abort", core.audit().latest("default", 1).get(0).action());
        assertEquals("bob", core.audit().latest("default", 1).get(0).actor());

        rollouts.start("default", canary(V2, null), "alice");
        RolloutPlan promoted = rollouts.promote("default", "alice", "looks good");
        assertEquals(V2, promoted.stable());
        assertEquals(Set.of(), promoted.rolledBack(), "re-rolled-out and promoted: no longer rolled back");
    }

    @Test
    void badRequestsNameTheirField() {
        assertEquals("candidate", field(() -> rollouts.start("default", canary(new ModelRef("nope", "9"), null), "a")));
        assertEquals("candidate", field(() -> rollouts.start("default", canary(V1, null), "a")));
        assertEquals("steps", field(() -> rollouts.start("default", canary(V2, List.of(50.0, 25.0, 100.0)), "a")));
        assertEquals("steps", field(() -> rollouts.start("default", canary(V2, List.of(5.0, 50.0)), "a")));
        assertEquals("gates.minFrames", field(() -> rollouts.start("default", new RolloutController.StartRequest(
                "polyp-unet:2", null, 0.0, null, false, new Gates(0, 0.01, 0, 0, 1, 0, 0), null), "a")));
        assertEquals("shadowFirst", field(() -> rollouts.start("default", new RolloutController.StartRequest(
                "polyp-unet:2", null, 0.0, null, true, null, null), "a")));
        assertEquals("model", field(() -> rollouts.setStable("default", "polyp-unet", "a", null)));
        assertEquals("deployment", field(() -> rollouts.setStable("no spaces", "polyp-unet:1", "a", null)));
        rollouts.start("default", canary(V2, null), "alice");
        ApiException busy = assertThrows(ApiException.class, () -> rollouts.setStable("default", "polyp-unet:3", "a", null));
        assertEquals(409, busy.status());
        core.registry().deprecate(V3, "bad Dice", "alice");
        rollouts.abort("default", "alice", null);
        assertEquals("candidate", field(() -> rollouts.start("default", canary(V3, null), "a")));
    }

    @Test
    void aRestartedGatewayRebuildsTheSameStateFromItsRecords() {
        rollouts.start("default", canary(V2, null), "alice");
        rollouts.pin("default", "room-1", "polyp-unet:1", "bob", null);
        GatewayCore rebuilt = newCore(new InMemoryControlLog());
        for (ControlWrite w : log.records) {
            rebuilt.apply(w.topic(), w.key(), w.value());
        }
        assertEquals(rollouts.plans(), rebuilt.rollouts().plans());
        assertEquals(core.registry().list(), rebuilt.registry().list());
        assertEquals(core.audit().latest(null, 100).stream().map(ControlJson::pretty).toList(),
                rebuilt.audit().latest(null, 100).stream().map(ControlJson::pretty).toList());
        // an old plan record replayed after a newer one changes nothing
        ControlWrite first = log.on(Topics.ROLLOUTS).get(0);
        rebuilt.apply(first.topic(), first.key(), first.value());
        assertEquals(rollouts.plan("default"), rebuilt.rollouts().plan("default"));
        assertEquals(AuditEntry.REGISTRY, ControlJson.read(log.on(Topics.AUDIT).get(0).value(), AuditEntry.class).deployment());
    }

    @Test
    void aFencedGatewayChangesNothing() {
        log.fenced = true;
        assertThrows(FencedException.class, () -> rollouts.start("default", canary(V2, null), "alice"));
        assertEquals(RolloutStatus.STABLE, rollouts.plan("default").status().phase());
    }

    @Test
    void versionsAreImmutable() throws Exception {
        ApiException e = assertThrows(ApiException.class, () -> register(V2));
        assertEquals(409, e.status());
        assertEquals("manifest.version", e.field());
    }

    @Test
    void endedStreamsAssignmentsAreTombstonedAfterTheTtl() {
        // the fixed clock says 09:00:00; room-old was last seen 20 minutes earlier, room-live 1 minute earlier
        core.apply(Topics.ASSIGNMENTS, "room-old", ControlJson.write(new io.endostream.contracts.control.StreamAssignment(
                "room-old", "default", V1, "stable", 1, "2026-11-29T08:30:00Z", "inf-1", "2026-11-29T08:40:00Z")));
        core.apply(Topics.ASSIGNMENTS, "room-live", ControlJson.write(new io.endostream.contracts.control.StreamAssignment(
                "room-live", "default", V1, "stable", 1, "2026-11-29T08:30:00Z", "inf-1", "2026-11-29T08:59:00Z")));
        assertEquals(1, core.expireAssignments(java.time.Duration.ofMinutes(10)));
        ControlWrite tombstone = log.on(Topics.ASSIGNMENTS).get(0);
        assertEquals("room-old", tombstone.key());
        assertNull(tombstone.value());
        assertEquals(List.of("room-live"), core.assignments().all().stream()
                .map(io.endostream.contracts.control.StreamAssignment::streamId).toList());
    }

    private static String field(Runnable action) {
        return assertThrows(ApiException.class, action::run).field();
    }
}
