package io.endostream.inference.rollout;

import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.support.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several versions loaded at once, routed per stream by the plan, sticky, swapped without dropping frames. */
class ModelRegistryTest {

    @TempDir
    Path tmp;

    private LoadedModel load(String version) {
        OpenCv.load();
        Path dir = TestModels.copyAs(tmp.resolve(version), version, false);
        return LoadedModel.load(new ModelLoader(tmp).fromDirectory(dir), SessionSettings.cpu(1, 2), Duration.ZERO, n -> {
        });
    }

    @Test
    void streamsFollowThePlanStayOnTheirVersionAndAPinMovesThem() {
        try (ModelRegistry registry = new ModelRegistry()) {
            LoadedModel v1 = load("v1");
            registry.add(v1);
            assertTrue(registry.ready());
            LoadedModel first = registry.acquire("room-a");
            assertEquals("v1", first.ref().version(), "first version is stable for everyone");
            first.release();

            LoadedModel v2 = load("v2");
            registry.add(v2);
            String name = v1.ref().name();
            ModelRef stable = new ModelRef(name, "v1");
            ModelRef canary = new ModelRef(name, "v2");
            registry.apply(new RolloutPlan(1, stable, canary, 100, Map.of("room-pinned", stable), null, 0, Set.of(),
                    "2026-11-27T00:00:00Z", "test"));
            LoadedModel again = registry.acquire("room-a");
            assertEquals("v1", again.ref().version(), "room-a started on v1 and stays there while v1 serves");
            again.release();
            LoadedModel fresh = registry.acquire("room-new");
            assertEquals("v2", fresh.ref().version(), "a new stream goes to the 100% canary");
            fresh.release();
            LoadedModel pinned = registry.acquire("room-pinned");
            assertEquals("v1", pinned.ref().version(), "a pin wins");
            pinned.release();

            // a plan without v2 (e.g. a promotion elsewhere) does not move room-new: stickiness
            registry.apply(RolloutPlan.allOn(stable, 2, "2026-11-27T00:00:01Z", "test"));
            LoadedModel stays = registry.acquire("room-new");
            assertEquals("v2", stays.ref().version());
            stays.release();
            // rollback: v2 in rolledBack moves its streams back to v1
            registry.apply(new RolloutPlan(3, stable, null, 0, Map.of(), null, 0, Set.of(), "2026-11-27T00:00:02Z",
                    "test", null, Set.of(canary), null));
            LoadedModel back = registry.acquire("room-new");
            assertEquals("v1", back.ref().version());
            back.release();
        }
    }

    @Test
    void retiringAVersionWaitsForItsFramesInFlightThenUnloads() throws Exception {
        try (ModelRegistry registry = new ModelRegistry()) {
            LoadedModel v1 = load("v1");
            registry.add(v1);
            LoadedModel v2 = load("v2");
            registry.add(v2);
            registry.apply(RolloutPlan.allOn(v2.ref(), 1, "2026-11-27T00:00:00Z", "test"));
            LoadedModel busy = registry.get(v1.ref());
            assertTrue(busy.tryAcquire(), "a frame still being processed on v1");
            CompletableFuture<Void> drained = registry.retire(v1.ref());
            assertFalse(drained.isDone(), "v1 must not unload under a frame in flight");
            assertFalse(busy.tryAcquire(), "a retiring version takes no new frames");
            busy.release();
            drained.get();
            LoadedModel next = registry.acquire("room-a");
            assertEquals("v2", next.ref().version());
            next.release();
            assertThrows(IllegalArgumentException.class, () -> registry.apply(RolloutPlan.allOn(v1.ref(), 2,
                    "2026-11-27T00:00:02Z", "test")), "a plan whose stable version is not loaded is refused");
            assertFalse(registry.apply(RolloutPlan.allOn(v2.ref(), 1, "2026-11-27T00:00:03Z", "test")),
                    "a plan not newer than the one followed is ignored");
        }
    }

    @Test
    void twoInstancesSharingAssignmentsKeepAStreamOnItsVersionAcrossFailoverAndSteps() {
        InMemoryAssignmentStore shared = new InMemoryAssignmentStore(Duration.ofMinutes(10), java.time.Clock.systemUTC());
        LoadedModel a1 = load("v1");
        LoadedModel a2 = load("v2");
        LoadedModel b1 = load("v1");
        LoadedModel b2 = load("v2");
        try (ModelRegistry a = new ModelRegistry(shared, "inf-a", Duration.ofSeconds(30), java.time.Clock.systemUTC());
             ModelRegistry b = new ModelRegistry(shared, "inf-b", Duration.ofSeconds(30), java.time.Clock.systemUTC())) {
            a.add(a1);
            a.add(a2);
            b.add(b1);
            b.add(b2);
            ModelRef v1 = a1.ref();
            ModelRef v2 = a2.ref();
            // room-4 (bucket 1584) is outside a 5 % canary, inside 25 %; room-2 (2273) inside 25 %
            RolloutPlan five = new RolloutPlan(1, v1, v2, 5, Map.of(), null, 0, Set.of(), null, "gw");
            a.apply(five);
            b.apply(five);
            assertEquals(v1, a.route("room-4").primary());
            assertEquals("inf-a", shared.get("room-4").assignedBy());
            RolloutPlan twentyFive = new RolloutPlan(2, v1, v2, 25, Map.of(), null, 0, Set.of(), null, "gw");
            a.apply(twentyFive);
            b.apply(twentyFive);
            assertEquals(v1, b.route("room-4").primary(), "instance b took room-4 over: it stays on v1");
            assertEquals(v2, b.route("room-2").primary(), "a new stream follows the current step");
            assertEquals("inf-a", shared.get("room-4").assignedBy(), "no new decision was written for room-4");
        }
    }
}
