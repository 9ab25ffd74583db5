package io.endostream.contracts.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.endostream.contracts.rollout.RolloutPlan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** asyncapi.yaml and README.md describe every control record field, key and tombstone the Java code has. */
class ControlContractDocumentTest {

    private static JsonNode document;

    @BeforeAll
    static void read() throws Exception {
        document = new ObjectMapper(new YAMLFactory()).readTree(Path.of("asyncapi.yaml").toFile());
    }

    @Test
    void everyRecordComponentIsASchemaProperty() {
        Map<String, Class<?>> schemas = Map.of("ModelVersionRecord", ModelVersionRecord.class,
                "StreamAssignment", StreamAssignment.class, "InstanceTelemetry", InstanceTelemetry.class,
                "VersionStats", InstanceTelemetry.VersionStats.class, "AuditEntry", AuditEntry.class,
                "RolloutStatus", RolloutStatus.class, "Gates", Gates.class, "RolloutPlan", RolloutPlan.class);
        List<String> missing = new ArrayList<>();
        schemas.forEach((schema, type) -> {
            JsonNode properties = document.path("components").path("schemas").path(schema).path("properties");
            for (var component : type.getRecordComponents()) {
                if (!properties.has(component.getName())) {
                    missing.add(schema + "." + component.getName());
                }
            }
        });
        assertEquals(List.of(), missing);
    }

    @Test
    void everyCompactedTopicSaysItsKeyAndWhatATombstoneMeans() {
        List<String> vague = new ArrayList<>();
        document.path("channels").forEach(channel -> {
            String policy = channel.path("bindings").path("kafka").path("topicConfiguration").path("cleanup.policy")
                    .toString();
            String text = channel.path("description").asText();
            if (policy.contains("compact") && !(text.contains("Key =") && text.contains("Tombstone"))) {
                vague.add(channel.path("address").asText());
            }
        });
        assertEquals(List.of(), vague);
    }

    @Test
    void readmeDefinesStickinessAndEveryControlTopic() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains("## Stickiness"), "README.md lacks a Stickiness section");
        for (String topic : List.of("endostream.models", "endostream.rollouts", "endostream.assignments",
                "endostream.telemetry", "endostream.audit")) {
            assertTrue(readme.contains("`" + topic + "`"), "README.md does not mention " + topic);
        }
    }

    @Test
    void theTelemetryExampleParses() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int at = readme.indexOf("<!-- example:telemetry -->");
        int start = readme.indexOf("```json\n", at) + 8;
        InstanceTelemetry t = ControlJson.read(readme.substring(start, readme.indexOf("```", start)),
                InstanceTelemetry.class);
        assertEquals(InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1, t.versions().get(0).latencyCounts().length);
        assertEquals(20.0, t.versions().get(0).latencyQuantileMs(0.5));
        assertEquals(40.0, t.versions().get(0).latencyQuantileMs(0.99));
    }

    @Test
    void theGatesDefaultsAreTheDocumentedOnes() {
        JsonNode gates = document.path("components").path("schemas").path("Gates").path("properties");
        assertEquals(Gates.DEFAULTS.minFrames(), gates.path("minFrames").path("default").asLong());
        assertEquals(Gates.DEFAULTS.maxErrorRate(), gates.path("maxErrorRate").path("default").asDouble());
        assertEquals(Gates.DEFAULTS.maxP99Ratio(), gates.path("maxP99Ratio").path("default").asDouble());
        assertEquals(Gates.DEFAULTS.minShadowFrames(), gates.path("minShadowFrames").path("default").asLong());
        assertEquals(Gates.DEFAULTS.minShadowDice(), gates.path("minShadowDice").path("default").asDouble());
    }
}
