package io.endostream.gateway.app;

import io.endostream.contracts.Topics;
import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.gateway.TestModels;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway as operators use it, on a real KRaft broker: auth rules, registry, rollouts, analysis-driven rollback
 * and the audit log. One Quarkus start for all of it; methods run in order and build on each other.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(JwtTestKeys.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayApiTest {

    static final String V1 = "api-1";
    static final String V2 = "api-2";
    static final String V3 = "api-3";

    @Inject
    GatewayService service;

    static RequestSpecification as(String user, String... roles) {
        return given().auth().oauth2(JwtTestKeys.token(user, roles));
    }

    static RequestSpecification operator() {
        return as("olga", "operator");
    }

    static RequestSpecification viewer() {
        return as("victor", "viewer");
    }

    static io.restassured.response.ValidatableResponse register(RequestSpecification who, String manifestJson,
                                                                 Path onnx) throws Exception {
        Path manifest = Files.createTempFile("manifest", ".json");
        Files.writeString(manifest, manifestJson);
        return who.multiPart("manifest", manifest.toFile(), "application/json")
                .multiPart("model", onnx.toFile(), "application/octet-stream")
                .when().post("/api/models").then();
    }

    @Test
    @Order(1)
    void noTokenIs401AViewersChangeIs403AndAnOperatorRegisters() throws Exception {
        given().when().get("/api/models").then().statusCode(401);
        given().auth().oauth2("not.a.jwt").when().get("/api/models").then().statusCode(401);
        viewer().when().get("/api/models").then().statusCode(200);
        register(viewer(), TestModels.manifestJson(V1), TestModels.ONNX).statusCode(403);
        register(operator(), TestModels.manifestJson(V1), TestModels.ONNX).statusCode(201)
                .body("manifest.onnxSha256", equalTo(TestModels.SHA256))
                .body("registeredBy", equalTo("olga"))
                .body("status", equalTo("active"));
        viewer().when().get("/api/audit").then().statusCode(200).body("action", hasItem("register"));
        viewer().contentType(ContentType.JSON).body("{\"model\":\"polyp-unet:" + V1 + "\"}")
                .when().put("/api/deployments/default/stable").then().statusCode(403);
    }

    @Test
    @Order(2)
    void registrationRefusesWhatDoesNotMatchNamingTheField() throws Exception {
        register(operator(), TestModels.manifestJson(V1), TestModels.ONNX).statusCode(409)
                .body("field", equalTo("manifest.version")).body("error", containsString("immutable"));
        register(operator(), TestModels.manifestJson("bad-1").replace("\"name\" : \"input\"", "\"name\" : \"image\""),
                TestModels.ONNX).statusCode(400).body("field", equalTo("manifest.input.name"))
                .body("error", containsString("input.name \"image\" is not an input of the graph; its inputs are [input]"));
        register(operator(), TestModels.manifestJson("bad-2").replace("\"width\" : 128", "\"width\" : 256"),
                TestModels.ONNX).statusCode(400).body("field", equalTo("manifest.input.width"));
        register(operator(), TestModels.manifestJson("bad-3").replace("\"maxBatch\" : 16", "\"maxBatch\" : 0"),
                TestModels.ONNX).statusCode(400).body("field", equalTo("manifest.input.maxBatch"));
        register(operator(), "{ not json", TestModels.ONNX).statusCode(400).body("field", equalTo("manifest"));
        register(operator(), TestModels.manifestJson("bad-4").replace("\"name\" : \"polyp-unet\"",
                "\"name\" : \"polyp-unet\", \"onnxSha256\" : \"" + "0".repeat(64) + "\""), TestModels.ONNX)
                .statusCode(400).body("field", equalTo("manifest.onnxSha256"));
        Path manifest = Files.createTempFile("manifest", ".json");
        Files.writeString(manifest, TestModels.manifestJson("bad-5"));
        operator().multiPart("manifest", manifest.toFile(), "application/json").when().post("/api/models").then()
                .statusCode(400).body("field", equalTo("model"));
        viewer().when().get("/api/models/polyp-unet/bad-2").then().statusCode(404);
    }

    @Test
    @Order(3)
    void listGetDownloadAndDeprecate() throws Exception {
        register(operator(), TestModels.manifestJson(V2), TestModels.ONNX).statusCode(201);
        register(operator(), TestModels.manifestJson(V3), TestModels.ONNX).statusCode(201);
        register(operator(), TestModels.manifestJson("old-1"), TestModels.ONNX).statusCode(201);
        viewer().when().get("/api/models").then().statusCode(200).body("manifest.version", hasItem(V2));
        viewer().when().get("/api/models/polyp-unet/" + V2).then().statusCode(200)
                .body("artifactPath", equalTo("/api/artifacts/" + TestModels.SHA256));
        byte[] onnx = viewer().when().get("/api/models/polyp-unet/" + V2 + "/model.onnx").then().statusCode(200)
                .extract().asByteArray();
        assertEquals(TestModels.SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx)));
        viewer().when().get("/api/artifacts/" + TestModels.SHA256).then().statusCode(200);
        viewer().when().get("/api/artifacts/nope").then().statusCode(400).body("field", equalTo("sha256"));
        viewer().when().get("/api/models/polyp-unet/" + V2 + "/manifest.json").then().statusCode(200)
                .body("onnxSha256", equalTo(TestModels.SHA256));
        operator().contentType(ContentType.JSON).body("{\"reason\":\"superseded\"}")
                .when().post("/api/models/polyp-unet/old-1/deprecate").then().statusCode(200)
                .body("status", equalTo("deprecated")).body("deprecatedBy", equalTo("olga"));
    }

    @Test
    @Order(4)
    void aCandidateThatSegmentsNothingIsRolledBackByTheAnalysisAndTheAuditSaysWhy() throws Exception {
        operator().contentType(ContentType.JSON).body("{\"model\":\"polyp-unet:" + V1 + "\",\"reason\":\"first\"}")
                .when().put("/api/deployments/default/stable").then().statusCode(200)
                .body("stable.version", equalTo(V1));
        operator().contentType(ContentType.JSON).body("""
                {"candidate": "polyp-unet:%s", "steps": [10, 100], "shadowPercent": 50, "shadowFirst": true,
                 "gates": {"minFrames": 50, "maxErrorRate": 0.01, "maxP99Ratio": 1.5, "minShadowFrames": 40,
                           "minShadowDice": 0.7}}""".formatted(V2))
                .when().post("/api/deployments/default/rollout").then().statusCode(200)
                .body("status.phase", equalTo("shadow")).body("shadow.version", equalTo(V2));
        operator().when().post("/api/analysis/run").then().statusCode(200); // takes the step's baseline

        // an inference instance reports, through the real topic, that V2's shadow masks disagree with stable's
        InstanceTelemetry.VersionStats stable = stats(V1, 400, 0, 0);
        InstanceTelemetry.VersionStats candidate = stats(V2, 0, 60, 0.03);
        publishTelemetry(new InstanceTelemetry("inf-test-1", "default", Instant.now().toString(), Instant.now().toString(),
                2, false, List.of(stable, candidate)));
        Instant deadline = Instant.now().plusSeconds(60);
        while (service.core().telemetry().instances().isEmpty() && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        viewer().when().get("/api/deployments/default/analysis").then().statusCode(200)
                .body("verdict", equalTo("fail"));
        operator().when().post("/api/analysis/run").then().statusCode(200);

        viewer().when().get("/api/deployments/default").then().statusCode(200)
                .body("status.phase", equalTo("rolled-back"))
                .body("rolledBack.version", hasItem(V2))
                .body("stable.version", equalTo(V1));
        viewer().queryParam("deployment", "default").queryParam("limit", 1).when().get("/api/audit").then()
                .statusCode(200)
                .body("[0].action", equalTo("rollback"))
                .body("[0].actor", equalTo("gateway/analysis"))
                .body("[0].reason", equalTo("gate shadowDice failed: 0.03 < 0.7 over 60 shadow frames"))
                .body("[0].figures.shadowDice", equalTo(0.03f));
        // the plan that every inference instance follows is on the compacted topic
        RolloutPlan onTopic = RolloutPlan.fromJson(lastValue(Topics.ROLLOUTS, "default"));
        assertEquals(service.core().rollouts().plan("default"), onTopic);
        assertTrue(onTopic.rolledBack().contains(new ModelRef("polyp-unet", V2)));
    }

    @Test
    @Order(5)
    void operatorsRunACanaryPinPauseResumeAndPromote() {
        operator().contentType(ContentType.JSON).body("{\"candidate\":\"polyp-unet:" + V3 + "\",\"steps\":[50,25]}")
                .when().post("/api/deployments/default/rollout").then().statusCode(400).body("field", equalTo("steps"));
        operator().contentType(ContentType.JSON).body("{\"candidate\":\"polyp-unet:old-1\"}")
                .when().post("/api/deployments/default/rollout").then().statusCode(400)
                .body("field", equalTo("candidate")).body("error", containsString("deprecated"));
        operator().contentType(ContentType.JSON).body("{\"candidate\":\"polyp-unet:" + V3 + "\",\"steps\":[5,25,100]}")
                .when().post("/api/deployments/default/rollout").then().statusCode(200)
                .body("canary.version", equalTo(V3)).body("canaryPercent", equalTo(5.0f));
        viewer().when().post("/api/deployments/default/promote").then().statusCode(403);
        operator().contentType(ContentType.JSON).body("{\"model\":\"polyp-unet:" + V1 + "\"}")
                .when().put("/api/deployments/default/pins/room-3").then().statusCode(200)
                .body("pins.room-3.version", equalTo(V1));
        operator().when().post("/api/deployments/default/pause").then().statusCode(200)
                .body("status.phase", equalTo("paused"));
        operator().when().post("/api/deployments/default/resume").then().statusCode(200)
                .body("status.phase", equalTo("canary"));
        operator().contentType(ContentType.JSON).body("{\"reason\":\"dice on the review set is better\"}")
                .when().post("/api/deployments/default/promote").then().statusCode(200)
                .body("stable.version", equalTo(V3)).body("status.phase", equalTo("promoted"))
                .body("status.previous.version", equalTo(V1));
        operator().when().delete("/api/deployments/default/pins/room-3").then().statusCode(200);
        viewer().queryParam("deployment", "default").when().get("/api/audit").then().statusCode(200)
                .body("action", equalTo(List.of("unpin", "promote", "resume", "pause", "pin", "start", "rollback",
                        "start", "set-stable")))
                .body("[1].actor", equalTo("olga"))
                .body("[1].reason", equalTo("dice on the review set is better"));
        operator().when().post("/api/deployments/nope/promote").then().statusCode(404);
        viewer().queryParam("limit", 0).when().get("/api/audit").then().statusCode(400).body("field", equalTo("limit"));
    }

    @Test
    @Order(6)
    void healthAndOpenApiAreOpen() {
        given().when().get("/q/health/ready").then().statusCode(200);
        given().when().get("/q/openapi").then().statusCode(200).body(containsString("/api/deployments/{deployment}/rollout"));
    }

    static InstanceTelemetry.VersionStats stats(String version, long frames, long shadowFrames, double dice) {
        long[] latency = new long[InstanceTelemetry.LATENCY_BOUNDS_MS.length + 1];
        latency[InstanceTelemetry.latencyBucket(15)] = frames;
        return new InstanceTelemetry.VersionStats(new ModelRef("polyp-unet", version), frames, frames, 0, 0, 0, latency,
                15, 15, shadowFrames, 0, dice * shadowFrames, dice * shadowFrames * 0.8, 0);
    }

    static void publishTelemetry(InstanceTelemetry t) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TELEMETRY, t.instanceId(), ControlJson.write(t))).get();
        }
    }

    static byte[] lastValue(String topic, String key) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBrokerTestResource.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            byte[] last = null;
            while (consumer.position(tp) < end) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        last = r.value();
                    }
                }
            }
            return last;
        }
    }
}
