package io.endostream.contracts.rollout;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamRouterPropertiesTest {

    private static final ModelRef STABLE = new ModelRef("polyp-unet", "1");
    private static final ModelRef CANDIDATE = new ModelRef("polyp-unet", "2");
    private static final int STREAMS = 10_000;

    /**
     * For one percentage the canary count over 10,000 streams is binomial: standard deviation at most 0.5 points,
     * so ±1.5 points is three standard deviations.
     */
    @Property(tries = 40)
    void canaryShareIsThePlannedPercentage(@ForAll @DoubleRange(min = 0, max = 100) double percent) {
        RolloutPlan plan = StreamRouterTest.plan(CANDIDATE, percent, Map.of(), null, 0, Set.of());
        int canary = 0;
        for (int i = 0; i < STREAMS; i++) {
            if (StreamRouter.route(plan, "room-" + i).because().equals("canary")) {
                canary++;
            }
        }
        double share = 100.0 * canary / STREAMS;
        assertTrue(Math.abs(share - percent) <= 1.5, "canary share " + share + " % for a plan of " + percent + " %");
    }

    /** Same for any naming scheme of stream ids, at a wider 5-sigma band so an unlucky draw cannot fail it. */
    @Property(tries = 15)
    void canaryAndShadowSharesHoldForAnyIdScheme(@ForAll @AlphaChars @StringLength(min = 1, max = 8) String prefix,
                                                 @ForAll @IntRange(min = 0, max = 100) int percent) {
        RolloutPlan plan = StreamRouterTest.plan(CANDIDATE, percent, Map.of(), new ModelRef("polyp-unet", "3"),
                percent, Set.of());
        int canary = 0;
        int shadow = 0;
        for (int i = 0; i < STREAMS; i++) {
            StreamRouter.Route route = StreamRouter.route(plan, prefix + "/" + i);
            canary += route.because().equals("canary") ? 1 : 0;
            shadow += route.shadow() != null ? 1 : 0;
        }
        assertTrue(Math.abs(100.0 * canary / STREAMS - percent) <= 2.5, "canary " + canary + " for " + percent + " %");
        assertTrue(Math.abs(100.0 * shadow / STREAMS - percent) <= 2.5, "shadow " + shadow + " for " + percent + " %");
    }

    @Property(tries = 500)
    void raisingTheCanaryPercentageNeverMovesAStreamBackToStable(
            @ForAll String streamId,
            @ForAll @DoubleRange(min = 0, max = 100) double low,
            @ForAll @DoubleRange(min = 0, max = 100) double high) {
        double from = Math.min(low, high);
        double to = Math.max(low, high);
        StreamRouter.Route before = StreamRouter.route(StreamRouterTest.plan(CANDIDATE, from, Map.of(), null, 0, Set.of()), streamId);
        StreamRouter.Route after = StreamRouter.route(StreamRouterTest.plan(CANDIDATE, to, Map.of(), null, 0, Set.of()), streamId);
        if (before.because().equals("canary")) {
            assertEquals("canary", after.because(), streamId + " left the canary going from " + from + " to " + to);
        }
    }

    @Property(tries = 500)
    void pinsWin(@ForAll("plans") RolloutPlan plan, @ForAll("streamIds") String streamId) {
        ModelRef pinned = new ModelRef("pinned", "9");
        RolloutPlan withPin = new RolloutPlan(plan.revision(), plan.stable(), plan.canary(), plan.canaryPercent(),
                Map.of(streamId, pinned), plan.shadow(), plan.shadowPercent(), plan.shadowStreams(), null, null);
        StreamRouter.Route route = StreamRouter.route(withPin, streamId);
        assertEquals(pinned, route.primary());
        assertEquals("pin", route.because());
    }

    @Property(tries = 1000)
    void shadowNeverEqualsPrimaryAndRoutingIsDeterministic(@ForAll("plans") RolloutPlan plan,
                                                           @ForAll("streamIds") String streamId) {
        StreamRouter.Route route = StreamRouter.route(plan, streamId);
        if (route.shadow() != null) {
            assertNotEquals(route.primary(), route.shadow());
            assertEquals(plan.shadow(), route.shadow());
        }
        assertEquals(route, StreamRouter.route(plan, streamId), "same plan, same stream, same route");
        ModelRef expected = switch (route.because()) {
            case "pin" -> plan.pins().get(streamId);
            case "canary" -> plan.canary();
            case "stable" -> plan.stable();
            default -> throw new AssertionError("unknown reason " + route.because());
        };
        assertEquals(expected, route.primary());
    }

    @Property(tries = 1000)
    void bucketIsInRangeForAnyId(@ForAll String streamId) {
        int bucket = StreamRouter.bucket(streamId);
        assertTrue(bucket >= 0 && bucket < StreamRouter.BUCKETS, "bucket " + bucket);
        assertEquals(bucket, StreamRouter.bucket(new String(streamId)));
    }

    @Provide
    Arbitrary<String> streamIds() {
        return Arbitraries.of("room-1", "room-2", "room-3", "room-4", "room-5", "or-7", "endoscope-A");
    }

    @Provide
    Arbitrary<RolloutPlan> plans() {
        Arbitrary<ModelRef> refs = Arbitraries.of(STABLE, CANDIDATE, new ModelRef("polyp-unet", "3"));
        Arbitrary<ModelRef> optionalRefs = refs.injectNull(0.3);
        Arbitrary<Double> percents = Arbitraries.oneOf(Arbitraries.of(0.0, 100.0),
                Arbitraries.doubles().between(0, 100));
        return Builders.withBuilder(() -> new Object[10])
                .use(refs).in((a, v) -> { a[0] = v; return a; })
                .use(optionalRefs).in((a, v) -> { a[1] = v; return a; })
                .use(percents).in((a, v) -> { a[2] = v; return a; })
                .use(Arbitraries.maps(streamIds(), refs).ofMaxSize(3)).in((a, v) -> { a[3] = v; return a; })
                .use(optionalRefs).in((a, v) -> { a[4] = v; return a; })
                .use(percents).in((a, v) -> { a[5] = v; return a; })
                .use(streamIds().set().ofMaxSize(3)).in((a, v) -> { a[6] = v; return a; })
                .build(a -> new RolloutPlan(1, (ModelRef) a[0], (ModelRef) a[1], (Double) a[2],
                        castMap(a[3]), (ModelRef) a[4], (Double) a[5], castSet(a[6]), null, null));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ModelRef> castMap(Object o) {
        return (Map<String, ModelRef>) o;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> castSet(Object o) {
        return (Set<String>) o;
    }
}
