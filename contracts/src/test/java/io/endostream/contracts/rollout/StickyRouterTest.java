package io.endostream.contracts.rollout;

import io.endostream.contracts.control.StreamAssignment;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stickiness rules of the contract, one by one. Buckets: room-4 1584, room-2 2273, room-3 5860, room-1 6340. */
class StickyRouterTest {

    private static final ModelRef V1 = new ModelRef("polyp-unet", "1");
    private static final ModelRef V2 = new ModelRef("polyp-unet", "2");
    private static final ModelRef V3 = new ModelRef("polyp-unet", "3");
    private static final Instant NOW = Instant.parse("2026-11-29T09:00:00Z");

    private static RolloutPlan canary(long revision, double percent) {
        return new RolloutPlan(revision, V1, V2, percent, Map.of(), null, 0, Set.of(), null, "test");
    }

    @Test
    void aNewStreamFollowsTheCurrentStepAndIsWritten() {
        var d = StickyRouter.route(canary(1, 20), null, "room-4", "inf-1", NOW);
        assertEquals(V2, d.primary());
        assertTrue(d.changed());
        assertEquals(new StreamAssignment("room-4", "default", V2, "canary", 1, NOW.toString(), "inf-1", NOW.toString()),
                d.assignment());
        assertEquals(V1, StickyRouter.route(canary(1, 20), null, "room-2", "inf-1", NOW).primary());
    }

    @Test
    void aStableStreamStaysOnStableWhenTheCanaryGrowsOverItsBucket() {
        var first = StickyRouter.route(canary(1, 5), null, "room-2", "inf-1", NOW);
        assertEquals(V1, first.primary());
        var later = StickyRouter.route(canary(2, 50), first.assignment(), "room-2", "inf-2", NOW.plusSeconds(5));
        assertEquals(V1, later.primary());
        assertFalse(later.changed());
    }

    @Test
    void aCanaryStreamStaysOnTheCandidateWhenTheShareShrinksAndAfterPromotion() {
        var first = StickyRouter.route(canary(1, 25), null, "room-2", "inf-1", NOW);
        assertEquals(V2, first.primary());
        assertEquals(V2, StickyRouter.route(canary(2, 5), first.assignment(), "room-2", "inf-1", NOW).primary());
        // promotion: V2 becomes stable, V3 a new canary taking everything; room-2 keeps V2, an old V1 stream keeps V1
        RolloutPlan promoted = new RolloutPlan(3, V2, V3, 100, Map.of(), null, 0, Set.of(), null, "test");
        assertEquals(V2, StickyRouter.route(promoted, first.assignment(), "room-2", "inf-1", NOW).primary());
        var onV1 = StickyRouter.route(canary(1, 5), null, "room-1", "inf-1", NOW).assignment();
        assertEquals(V1, StickyRouter.route(promoted, onV1, "room-1", "inf-1", NOW).primary());
        assertEquals(V3, StickyRouter.route(promoted, null, "room-1", "inf-1", NOW).primary(), "a new life follows the plan");
    }

    @Test
    void aRollbackMovesTheStreamsOfTheRolledBackVersion() {
        var onCanary = StickyRouter.route(canary(1, 25), null, "room-4", "inf-1", NOW).assignment();
        RolloutPlan rolledBack = new RolloutPlan(2, V1, null, 0, Map.of(), null, 0, Set.of(), null, "gateway/analysis",
                null, Set.of(V2), null);
        var d = StickyRouter.route(rolledBack, onCanary, "room-4", "inf-2", NOW);
        assertEquals(V1, d.primary());
        assertTrue(d.changed());
        assertEquals("rollback", d.assignment().because());
        assertEquals(2, d.assignment().planRevision());
    }

    @Test
    void aPinMovesTheStreamAndUnpinningLeavesItThere() {
        var onStable = StickyRouter.route(canary(1, 5), null, "room-1", "inf-1", NOW).assignment();
        RolloutPlan pinned = new RolloutPlan(2, V1, V2, 5, Map.of("room-1", V3), null, 0, Set.of(), null, "op");
        var d = StickyRouter.route(pinned, onStable, "room-1", "inf-1", NOW);
        assertEquals(V3, d.primary());
        assertEquals("pin", d.assignment().because());
        assertTrue(d.changed());
        assertFalse(StickyRouter.route(pinned, d.assignment(), "room-1", "inf-1", NOW).changed());
        assertEquals(V3, StickyRouter.route(canary(3, 5), d.assignment(), "room-1", "inf-1", NOW).primary());
    }

    @Test
    void theShadowIsNeverThePrimaryOfTheStream() {
        var onCanary = StickyRouter.route(canary(1, 25), null, "room-4", "inf-1", NOW).assignment();
        RolloutPlan shadowAll = new RolloutPlan(2, V1, V2, 25, Map.of(), V2, 100, Set.of(), null, "op");
        assertNull(StickyRouter.route(shadowAll, onCanary, "room-4", "inf-1", NOW).shadow());
        assertEquals(V2, StickyRouter.route(shadowAll, null, "room-1", "inf-1", NOW).shadow());
    }

    @Test
    void acrossTenThousandStreamsStickyRoutesAgreeWithThePlanAtTheStepEachStreamStarted() {
        Map<String, StreamAssignment> table = new HashMap<>();
        double[] steps = {5, 25, 50, 100};
        Map<String, Double> startedAt = new HashMap<>();
        for (int s = 0; s < steps.length; s++) {
            RolloutPlan plan = canary(s + 1, steps[s]);
            for (int i = s * 2500; i < (s + 1) * 2500; i++) {
                startedAt.put("cam-" + i, steps[s]);
            }
            for (String stream : startedAt.keySet()) {
                var d = StickyRouter.route(plan, table.get(stream), stream, "inf", NOW);
                table.put(stream, d.assignment());
                RolloutPlan atStart = canary(1, startedAt.get(stream));
                assertEquals(StreamRouter.route(atStart, stream).primary(), d.primary(), stream);
            }
        }
    }
}
