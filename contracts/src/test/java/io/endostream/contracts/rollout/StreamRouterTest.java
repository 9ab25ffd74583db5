package io.endostream.contracts.rollout;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class StreamRouterTest {

    private static final ModelRef V1 = new ModelRef("polyp-unet", "1");
    private static final ModelRef V2 = new ModelRef("polyp-unet", "2");
    private static final ModelRef V3 = new ModelRef("polyp-unet", "3");

    /**
     * Reference values from an independent implementation (Python):
     * {@code int.from_bytes(hashlib.sha256(s.encode()).digest()[:4], 'big') % 10000}.
     */
    @Test
    void bucketMatchesThePublishedDefinition() {
        assertEquals(5860, StreamRouter.bucket("room-3"));
        assertEquals(6340, StreamRouter.bucket("room-1"));
        assertEquals(9567, StreamRouter.bucket("endoscope-A"));
        assertEquals(8541, StreamRouter.bucket("stream-0042"));
        assertEquals(5933, StreamRouter.bucket("ü-raum-7"), "UTF-8, not the platform charset");
        assertEquals(2610, StreamRouter.bucket(""));
    }

    @Test
    void thresholdRoundsPercentToBuckets() {
        assertEquals(0, StreamRouter.threshold(0));
        assertEquals(110, StreamRouter.threshold(1.1), "1.1 * 100 is 110.00000000000001 in binary floating point");
        assertEquals(57, StreamRouter.threshold(0.57), "0.57 * 100 is 56.99999999999999");
        assertEquals(1235, StreamRouter.threshold(12.345));
        assertEquals(10_000, StreamRouter.threshold(100));
        assertEquals(10_000, StreamRouter.threshold(250));
        assertEquals(0, StreamRouter.threshold(-5));
        assertEquals(0, StreamRouter.threshold(Double.NaN));
    }

    @Test
    void canaryTakesBucketsBelowTheThreshold() {
        // room-3 is bucket 5860
        RolloutPlan below = plan(V2, 58.60, Map.of(), null, 0, Set.of());
        RolloutPlan above = plan(V2, 58.61, Map.of(), null, 0, Set.of());

        assertEquals(new StreamRouter.Route(V1, null, "stable"), StreamRouter.route(below, "room-3"));
        assertEquals(new StreamRouter.Route(V2, null, "canary"), StreamRouter.route(above, "room-3"));
    }

    @Test
    void pinWinsOverCanaryAndStable() {
        RolloutPlan plan = plan(V2, 100, Map.of("room-3", V3), null, 0, Set.of());
        assertEquals(new StreamRouter.Route(V3, null, "pin"), StreamRouter.route(plan, "room-3"));
        assertEquals(V2, StreamRouter.route(plan, "room-1").primary());
    }

    @Test
    void shadowTakesBucketsFromTheTop() {
        // room-3 is bucket 5860: shadowed once shadowPercent covers buckets 5860..9999 = 41.40 %
        assertNull(StreamRouter.route(plan(null, 0, Map.of(), V2, 41.39, Set.of()), "room-3").shadow());
        assertEquals(V2, StreamRouter.route(plan(null, 0, Map.of(), V2, 41.40, Set.of()), "room-3").shadow());
    }

    @Test
    void explicitShadowStreamsAreShadowedAtZeroPercent() {
        RolloutPlan plan = plan(null, 0, Map.of(), V2, 0, Set.of("room-3"));
        assertEquals(new StreamRouter.Route(V1, V2, "stable"), StreamRouter.route(plan, "room-3"));
        assertNull(StreamRouter.route(plan, "room-1").shadow());
    }

    @Test
    void noShadowWhenItIsAlreadyThePrimary() {
        RolloutPlan plan = plan(V2, 100, Map.of(), V2, 100, Set.of("room-3"));
        assertEquals(new StreamRouter.Route(V2, null, "canary"), StreamRouter.route(plan, "room-3"));
    }

    @Test
    void canaryAndShadowDoNotOverlapWhileTheyFitInOneHundredPercent() {
        RolloutPlan plan = plan(V2, 40, Map.of(), V3, 60, Set.of());
        for (int i = 0; i < 2000; i++) {
            StreamRouter.Route route = StreamRouter.route(plan, "room-" + i);
            assertEquals(route.because().equals("stable"), route.shadow() != null, "room-" + i + ": " + route);
        }
    }

    static RolloutPlan plan(ModelRef canary, double canaryPercent, Map<String, ModelRef> pins, ModelRef shadow,
                            double shadowPercent, Set<String> shadowStreams) {
        return new RolloutPlan(1, V1, canary, canaryPercent, pins, shadow, shadowPercent, shadowStreams,
                "2026-11-27T07:00:00Z", "test");
    }
}
