package io.endostream.contracts.rollout;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RolloutPlanTest {

    private static final ModelRef V1 = new ModelRef("polyp-unet", "1");
    private static final ModelRef V2 = new ModelRef("polyp-unet", "2");

    private static RolloutPlan canaryPlan() {
        return new RolloutPlan(7, V1, V2, 12.5, Map.of("room-3", V1), V2, 5, Set.of("room-9"),
                "2026-11-27T07:30:00Z", "gateway/analysis");
    }

    @Test
    void jsonRoundTrips() {
        RolloutPlan plan = canaryPlan();
        assertEquals(plan, RolloutPlan.fromJson(plan.toJsonBytes()));
        assertEquals(plan, RolloutPlan.fromJson(plan.toJson()));
    }

    @Test
    void jsonIsTheDocumentedShape() {
        assertEquals("{\"revision\":7,\"stable\":{\"name\":\"polyp-unet\",\"version\":\"1\"},"
                        + "\"canary\":{\"name\":\"polyp-unet\",\"version\":\"2\"},\"canaryPercent\":12.5,"
                        + "\"pins\":{\"room-3\":{\"name\":\"polyp-unet\",\"version\":\"1\"}},"
                        + "\"shadow\":{\"name\":\"polyp-unet\",\"version\":\"2\"},\"shadowPercent\":5.0,"
                        + "\"shadowStreams\":[\"room-9\"],\"updatedAt\":\"2026-11-27T07:30:00Z\","
                        + "\"updatedBy\":\"gateway/analysis\"}",
                new String(canaryPlan().toJsonBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void handWrittenJsonMayUseNameColonVersionAndOmitOptionalFields() {
        RolloutPlan plan = RolloutPlan.fromJson("""
                {"revision": 3, "stable": "polyp-unet:1", "canary": "polyp-unet:2", "canaryPercent": 10,
                 "pins": {"room-3": "polyp-unet:1"}}
                """);
        assertEquals(V1, plan.stable());
        assertEquals(V2, plan.canary());
        assertEquals(Map.of("room-3", V1), plan.pins());
        assertNull(plan.shadow());
        assertEquals(Set.of(), plan.shadowStreams());
        assertSame(plan, plan.validate());
    }

    @Test
    void modelRefTextForm() {
        assertEquals("polyp-unet:2", V2.toString());
        assertEquals(V2, ModelRef.parse("polyp-unet:2"));
        assertEquals(new ModelRef("registry.local:5000/unet", "7"), ModelRef.parse("registry.local:5000/unet:7"));
        assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("no-version"));
        assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("trailing:"));
    }

    @Test
    void validPlansValidate() {
        RolloutPlan plan = canaryPlan();
        assertSame(plan, plan.validate());
        RolloutPlan allOn = RolloutPlan.allOn(V1, 0, "2026-11-27T07:00:00+01:00", "operator");
        assertSame(allOn, allOn.validate());
    }

    @Test
    void validateListsEveryProblemWithItsField() {
        RolloutPlan bad = new RolloutPlan(-1, null, null, 150, Map.of("room-3", new ModelRef("", "1")), null, -1,
                Set.of("room-9"), "tuesday", null);

        InvalidRolloutPlanException e = assertThrows(InvalidRolloutPlanException.class, bad::validate);

        List<String> expected = List.of("revision must be >= 0, was -1", "stable is required",
                "canaryPercent must be within 0..100, was 150.0", "canaryPercent must be 0 when canary is null",
                "pins[room-3].name must not be blank", "shadowPercent must be within 0..100, was -1.0",
                "shadowPercent must be 0 when shadow is null", "shadowStreams must be empty when shadow is null",
                "updatedAt must be an RFC 3339 time");
        for (String part : expected) {
            assertTrue(e.problems().stream().anyMatch(p -> p.contains(part)), "missing '" + part + "' in " + e.problems());
        }
        assertEquals(expected.size(), e.problems().size(), e.problems().toString());
    }

    @Test
    void canaryEqualToStableIsRejected() {
        RolloutPlan plan = new RolloutPlan(1, V1, V1, 10, null, null, 0, null, null, null);
        InvalidRolloutPlanException e = assertThrows(InvalidRolloutPlanException.class, plan::validate);
        assertEquals(List.of("canary must differ from stable, both are polyp-unet:1"), e.problems());
    }

    @Test
    void brokenJsonIsReportedWithItsPosition() {
        InvalidRolloutPlanException e = assertThrows(InvalidRolloutPlanException.class,
                () -> RolloutPlan.fromJson("{\"revision\": \"seven\"}"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void collectionsAreImmutableCopies() {
        java.util.HashMap<String, ModelRef> pins = new java.util.HashMap<>(Map.of("room-3", V1));
        RolloutPlan plan = new RolloutPlan(1, V1, null, 0, pins, null, 0, null, null, null);
        pins.put("room-4", V2);
        assertEquals(Map.of("room-3", V1), plan.pins());
        assertThrows(UnsupportedOperationException.class, () -> plan.pins().put("x", V2));
    }
}
