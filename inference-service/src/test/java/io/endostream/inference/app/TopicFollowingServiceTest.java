package io.endostream.inference.app;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Topics;
import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.control.ModelVersionRecord;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.inference.support.FrameSender;
import io.endostream.inference.support.TestModels;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service following a control plane on a real broker: a plan published on endostream.rollouts makes it fetch
 * the version from the gateway, verify and load it, and route streams to it; it publishes telemetry and says in
 * health and metrics which plan it follows. The local PUT /api/rollout is gone.
 *
 * <p>Its configuration differs from the other service tests', so it has a Quarkus start (and broker) of its own. Its
 * name sorts it after them on purpose: when another Quarkus app ran first in the same JVM,
 * FramesToMasksTest read {@code endostream_execution_provider} as NaN (the gauge of the first app's registration
 * seems to survive the restart), a pre-existing fragility of metrics/PipelineMetrics with several Quarkus starts.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(StandInGateway.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopicFollowingServiceTest {

    @Test
    @Order(1)
    void aPublishedPlanIsFollowedAndItsVersionServesTheStreams() throws Exception {
        ModelManifest fixture = ModelManifest.read(TestModels.fixture().resolve(ModelManifest.FILE_NAME));
        ModelRef cp1 = new ModelRef(fixture.name(), "cp1");
        ModelManifest m = new ModelManifest(cp1.name(), cp1.version(), fixture.onnxSha256(), fixture.onnxFile(),
                fixture.input(), fixture.output(), null, null, null);
        // the gateway creates this one; until it exists the instance serves its bootstrap model and keeps retrying
        KafkaBrokerTestResource.cluster().createCompactedTopics(1, Topics.ASSIGNMENTS);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.MODELS, cp1.toString(), ControlJson.write(new ModelVersionRecord(
                    m, 1, "/api/artifacts/" + m.onnxSha256(), "active", Instant.now().toString(), "olga", null, null,
                    null)))).get();
            producer.send(new ProducerRecord<>(Topics.ROLLOUTS, "default",
                    RolloutPlan.allOn(cp1, 1, Instant.now().toString(), "olga").toJsonBytes())).get();
        }
        Instant deadline = Instant.now().plusSeconds(120);
        while (!given().when().get("/api/rollout").then().extract().asString().contains("\"cp1\"")) {
            assertTrue(Instant.now().isBefore(deadline), "plan 1 not followed within 120 s");
            Thread.sleep(100);
        }
        given().when().get("/api/control-plane").then().statusCode(200).body("enabled", equalTo(true))
                .body("status.planRevision", equalTo(1));
        given().when().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'control-plane' }.data.planRevision", equalTo(1))
                .body("checks.find { it.name == 'control-plane' }.data.planStale", equalTo(false));
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("endostream_plan_revision 1.0"));
        given().contentType("application/json").body("{}").when().put("/api/rollout").then().statusCode(405);

        String stream = "cp-room";
        try (FrameSender sender = new FrameSender(KafkaBrokerTestResource.bootstrapServers(), Topics.FRAMES);
             EndoscopySimulator sim = new EndoscopySimulator(2, 320, 256);
             SimulatedFrame f = sim.frame(0)) {
            sender.send(FrameCodec.encode(new Frame(stream, stream + "-0", 0, System.currentTimeMillis(),
                    ImageFormat.JPEG, 0, 0, f.jpeg(90))));
        }
        try (TopicReader masks = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.MASKS)) {
            List<ConsumerRecord<byte[], byte[]>> records = masks.await(r -> stream.equals(TopicReader.key(r)), 1,
                    Duration.ofSeconds(60));
            assertEquals("cp1", TopicReader.header(records.get(0), RecordHeaders.MODEL_VERSION));
        }
        try (TopicReader assignments = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.ASSIGNMENTS);
             TopicReader telemetry = new TopicReader(KafkaBrokerTestResource.bootstrapServers(), Topics.TELEMETRY)) {
            assertEquals(1, assignments.await(r -> stream.equals(TopicReader.key(r)), 1, Duration.ofSeconds(60)).size());
            // the frame path reports its outcomes: the version that served the mask is credited with it
            ConsumerRecord<byte[], byte[]> t = telemetry.await(r -> "inf-quarkus-test".equals(TopicReader.key(r))
                    && r.value() != null && masksOf(r.value(), "cp1") >= 1, 1, Duration.ofSeconds(60)).get(0);
            InstanceTelemetry record = ControlJson.read(t.value(), InstanceTelemetry.class);
            assertEquals("default", record.deployment());
            InstanceTelemetry.VersionStats served = record.versions().stream()
                    .filter(v -> "cp1".equals(v.model().version())).findFirst().orElseThrow();
            assertEquals(served.frames(), served.masks() + served.deadLetters() + served.errors(), "every frame counted once");
            assertTrue(served.p50Ms() > 0, "end-to-end latency recorded");
        }
    }

    /**
     * A plan with a shadow (cp2 shadows every stream of cp1; the same fixture bytes, so they agree): the candidate is
     * fetched and loaded, its masks appear on endoscopy.masks.shadow only, and the published telemetry carries its
     * agreement with stable. Runs after the test above, whose plan (cp1 stable) it extends.
     */
    @Test
    @Order(2)
    void aShadowedCandidatesMasksGoToTheShadowTopicAndItsAgreementToTelemetry() throws Exception {
        ModelManifest fixture = ModelManifest.read(TestModels.fixture().resolve(ModelManifest.FILE_NAME));
        ModelRef cp1 = new ModelRef(fixture.name(), "cp1");
        ModelRef cp2 = new ModelRef(fixture.name(), "cp2");
        ModelManifest m = new ModelManifest(cp2.name(), cp2.version(), fixture.onnxSha256(), fixture.onnxFile(),
                fixture.input(), fixture.output(), null, null, null);
        int revision = given().when().get("/api/control-plane").then().extract().path("status.planRevision");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.MODELS, cp2.toString(), ControlJson.write(new ModelVersionRecord(
                    m, 2, "/api/artifacts/" + m.onnxSha256(), "active", Instant.now().toString(), "olga", null, null,
                    null)))).get();
            producer.send(new ProducerRecord<>(Topics.ROLLOUTS, "default", new RolloutPlan(revision + 1, cp1, null, 0,
                    Map.of(), cp2, 100, Set.of(), Instant.now().toString(), "olga").toJsonBytes())).get();
        }
        Instant deadline = Instant.now().plusSeconds(120);
        while (given().when().get("/api/control-plane").then().extract().<Integer>path("status.planRevision")
                != revision + 1) {
            assertTrue(Instant.now().isBefore(deadline), "shadow plan not followed within 120 s");
            Thread.sleep(100);
        }
        String stream = "shadowed-room";
        String bootstrap = KafkaBrokerTestResource.bootstrapServers();
        try (FrameSender sender = new FrameSender(bootstrap, Topics.FRAMES);
             EndoscopySimulator sim = new EndoscopySimulator(3, 320, 256);
             TopicReader masks = new TopicReader(bootstrap, Topics.MASKS);
             TopicReader shadowMasks = new TopicReader(bootstrap, Topics.MASKS_SHADOW)) {
            // one frame at a time until three were shadowed: the budget may drop one on a slow machine (counted)
            int sent = 0;
            while (shadowMasks.await(r -> stream.equals(TopicReader.key(r)), 3, Duration.ZERO).size() < 3) {
                assertTrue(sent < 30, "three shadow masks within 30 frames");
                try (SimulatedFrame f = sim.frame(76 + sent)) {
                    sender.send(FrameCodec.encode(new Frame(stream, stream + "-" + sent, sent,
                            System.currentTimeMillis(), ImageFormat.JPEG, 0, 0, f.jpeg(90))));
                }
                String id = stream + "-" + sent++;
                masks.await(r -> id.equals(TopicReader.header(r, RecordHeaders.FRAME_ID)), 1, Duration.ofSeconds(60));
                shadowMasks.await(r -> id.equals(TopicReader.header(r, RecordHeaders.FRAME_ID)), 1,
                        Duration.ofSeconds(10));
            }
            List<ConsumerRecord<byte[], byte[]>> shadowed = shadowMasks.await(r -> stream.equals(TopicReader.key(r)),
                    3, Duration.ZERO);
            for (ConsumerRecord<byte[], byte[]> r : shadowed) {
                assertEquals("cp2", TopicReader.header(r, RecordHeaders.MODEL_VERSION));
                assertEquals(cp1.toString(), TopicReader.header(r, RecordHeaders.SHADOW_OF));
            }
            List<ConsumerRecord<byte[], byte[]>> served = masks.await(r -> stream.equals(TopicReader.key(r)), sent,
                    Duration.ofSeconds(60));
            assertEquals(sent, served.size(), "every frame has its primary mask");
            assertTrue(served.stream().allMatch(r -> "cp1".equals(TopicReader.header(r, RecordHeaders.MODEL_VERSION))),
                    "consumers never see the shadow's masks");
        }
        try (TopicReader telemetry = new TopicReader(bootstrap, Topics.TELEMETRY)) {
            ConsumerRecord<byte[], byte[]> t = telemetry.await(r -> "inf-quarkus-test".equals(TopicReader.key(r))
                    && r.value() != null && shadowFramesOf(r.value(), "cp2") >= 3, 1, Duration.ofSeconds(60)).get(0);
            InstanceTelemetry.VersionStats candidate = ControlJson.read(t.value(), InstanceTelemetry.class).versions()
                    .stream().filter(v -> "cp2".equals(v.model().version())).findFirst().orElseThrow();
            // same model bytes; the primary may have run in a batch, the shadow alone: equal up to float noise
            assertEquals(1.0, candidate.shadowDiceSum() / candidate.shadowFrames(), 0.01);
            assertEquals(0, candidate.frames(), "the shadow served no stream");
        }
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("endostream_shadow_frames_total{model_version=\"cp2\"}"));
    }

    private static long shadowFramesOf(byte[] telemetry, String version) {
        return ControlJson.read(telemetry, InstanceTelemetry.class).versions().stream()
                .filter(v -> version.equals(v.model().version()))
                .mapToLong(InstanceTelemetry.VersionStats::shadowFrames).sum();
    }

    private static long masksOf(byte[] telemetry, String version) {
        return ControlJson.read(telemetry, InstanceTelemetry.class).versions().stream()
                .filter(v -> version.equals(v.model().version())).mapToLong(InstanceTelemetry.VersionStats::masks)
                .sum();
    }
}
