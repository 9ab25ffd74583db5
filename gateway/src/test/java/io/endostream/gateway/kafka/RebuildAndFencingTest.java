package io.endostream.gateway.kafka;

import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.gateway.TestModels;
import io.endostream.gateway.core.ArtifactStore;
import io.endostream.gateway.core.FencedException;
import io.endostream.gateway.core.GatewayCore;
import io.endostream.gateway.core.RolloutController;
import io.endostream.gateway.core.TopicNames;
import io.endostream.contracts.control.Gates;
import io.endostream.gateway.onnx.OrtGraphChecker;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The control topics are the source of truth, on a real KRaft broker: a second gateway (same transactional id)
 * fences the first, rebuilds the same registry, plans and audit log from the topics, and carries on writing; the
 * fenced one can no longer change anything.
 */
class RebuildAndFencingTest {

    static EmbeddedKafkaCluster kafka;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafkaCluster.start();
        ControlTopicsSetup.create(kafka.bootstrapServers(), TopicNames.DEFAULTS);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    record Gateway(KafkaControlLog log, GatewayCore core) implements AutoCloseable {
        @Override
        public void close() {
            log.close();
        }
    }

    static Gateway start(Path store) {
        KafkaControlLog log = new KafkaControlLog(kafka.bootstrapServers(), "gateway-rebuild-test", Map.of());
        GatewayCore core = new GatewayCore(new ArtifactStore(store), new OrtGraphChecker(), log, TopicNames.DEFAULTS,
                Clock.systemUTC(), new RolloutController.Settings(List.of(5.0, 25.0, 100.0), Gates.DEFAULTS));
        TopicNames t = TopicNames.DEFAULTS;
        try (ControlTopicFollower follower = new ControlTopicFollower(kafka.bootstrapServers(),
                List.of(t.models(), t.rollouts(), t.assignments(), t.telemetry(), t.audit()), "rebuild-test")) {
            follower.catchUp(core::apply, Duration.ofSeconds(30));
        }
        return new Gateway(log, core);
    }

    @Test
    void aSecondGatewayFencesTheFirstAndRebuildsTheSameState(@TempDir Path dir) throws Exception {
        Gateway first = start(dir.resolve("store"));
        first.core().registry().register(TestModels.manifestJson("r1").getBytes(StandardCharsets.UTF_8), TestModels.ONNX, "olga");
        first.core().registry().register(TestModels.manifestJson("r2").getBytes(StandardCharsets.UTF_8), TestModels.ONNX, "olga");
        first.core().rollouts().setStable("default", "polyp-unet:r1", "olga", null);
        RolloutPlan canary = first.core().rollouts().start("default", new RolloutController.StartRequest(
                "polyp-unet:r2", null, 10.0, Set.of("room-9"), false, null, "try r2"), "olga");

        try (Gateway second = start(dir.resolve("store"))) {
            assertEquals(first.core().registry().list(), second.core().registry().list());
            assertEquals(canary, second.core().rollouts().plan("default"));
            assertEquals(first.core().audit().latest(null, 100).stream().map(ControlJson::pretty).toList(),
                    second.core().audit().latest(null, 100).stream().map(ControlJson::pretty).toList());

            FencedException fenced = assertThrows(FencedException.class,
                    () -> first.core().rollouts().promote("default", "olga", "from the old gateway"));
            assertTrue(fenced.getMessage().contains("fenced"), fenced.getMessage());
            assertTrue(first.log().fenced());
            assertEquals(canary, first.core().rollouts().plan("default"), "a fenced gateway changes nothing");

            RolloutPlan promoted = second.core().rollouts().promote("default", "olga", "from the new gateway");
            try (Gateway third = start(dir.resolve("store"))) {
                assertEquals(promoted, third.core().rollouts().plan("default"));
                assertEquals("promote", third.core().audit().latest("default", 1).get(0).action());
            }
        } finally {
            first.close();
        }
    }
}
