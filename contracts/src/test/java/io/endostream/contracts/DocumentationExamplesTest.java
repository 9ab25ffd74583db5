package io.endostream.contracts;

import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.contracts.rollout.StreamRouter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README is the contract for outsiders: its JSON examples must parse and validate, its routing example hold. */
class DocumentationExamplesTest {

    private static String example(String name) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String marker = "<!-- example:" + name + " -->";
        int at = readme.indexOf(marker);
        assertTrue(at >= 0, "README.md lacks " + marker);
        int start = readme.indexOf("```json\n", at) + "```json\n".length();
        int end = readme.indexOf("```", start);
        return readme.substring(start, end);
    }

    @Test
    void manifestExampleIsValid() throws Exception {
        ModelManifest manifest = ModelManifest.read(
                new ByteArrayInputStream(example("manifest").getBytes(StandardCharsets.UTF_8)));
        manifest.validate();
        assertEquals(256, manifest.input().width());
    }

    @Test
    void rolloutPlanExampleIsValidAndRoutesAsTheReadmeSays() throws Exception {
        RolloutPlan plan = RolloutPlan.fromJson(example("rollout-plan")).validate();
        ModelRef v1 = new ModelRef("polyp-unet", "1");
        ModelRef v2 = new ModelRef("polyp-unet", "2");
        ModelRef v3 = new ModelRef("polyp-unet", "3");

        assertEquals(new StreamRouter.Route(v2, null, "canary"), StreamRouter.route(plan, "room-4"));
        assertEquals(new StreamRouter.Route(v2, null, "canary"), StreamRouter.route(plan, "room-2"));
        assertEquals(new StreamRouter.Route(v1, null, "stable"), StreamRouter.route(plan, "room-1"));
        assertEquals(new StreamRouter.Route(v1, null, "pin"), StreamRouter.route(plan, "room-3"));
        assertEquals(new StreamRouter.Route(v1, v3, "stable"), StreamRouter.route(plan, "room-9"));
        assertEquals(6280, StreamRouter.bucket("room-9"));
        assertNull(StreamRouter.route(plan, "room-1").shadow());
    }
}
