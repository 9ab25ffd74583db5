package io.endostream.gateway.training;

import io.endostream.gateway.TestModels;
import io.endostream.gateway.app.JwtTestKeys;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gateway's training feature against a stand-in trainer ({@link TrainerStandIn}) on the real broker: the user's
 * own token reaches the trainer, roles are the gateway's (viewer reads, operator starts, cancels and registers), a
 * job's progress is relayed as server-sent events, the trainer's refusals come back with its status and message, and
 * "register from job" goes through the registry's checks.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(JwtTestKeys.class)
@WithTestResource(TrainerStandIn.class)
class TrainingResourceTest {

    static RequestSpecification as(String user, String role) {
        return given().auth().oauth2(JwtTestKeys.token(user, role));
    }

    @Test
    void readsNeedASignedInViewerAndTheUsersOwnTokenReachesTheTrainer() {
        given().when().get("/api/training/jobs").then().statusCode(401);
        as("vera", "viewer").when().get("/api/training").then().statusCode(200)
                .body("configured", equalTo(true)).body("jobTemplate.type", equalTo("pipeline"))
                .body("jobTemplate.options.dataset", equalTo("sim-seg"));
        String token = JwtTestKeys.token("vera", "viewer");
        TrainerStandIn.AUTHORIZATIONS.clear();
        given().auth().oauth2(token).when().get("/api/training/jobs").then().statusCode(200)
                .body("id", hasItems("job-ok", "job-run")).body("progress.phase", hasItem("finetune"));
        assertEquals(List.of("Bearer " + token), TrainerStandIn.AUTHORIZATIONS, "forwarded as it is, nothing else");
        as("vera", "viewer").when().get("/api/training/jobs/job-ok/history").then().statusCode(200)
                .body("runs.phase", hasItems("pretrain", "finetune"));
        byte[] png = as("vera", "viewer").when().get("/api/training/jobs/job-ok/samples.png").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        assertTrue(png.length > 8 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        as("vera", "viewer").when().get("/api/training/jobs/nope").then().statusCode(404)
                .body("error", containsString("no job"));
        as("vera", "viewer").when().get("/api/training/jobs/bad id!").then().statusCode(400).body("field", equalTo("id"));
    }

    @Test
    void operatorsStartAndCancelJobsViewersCannotAndTheTrainersRefusalsComeBack() {
        String body = "{\"type\":\"pipeline\",\"options\":{\"dataset\":\"sim-seg\",\"max-iterations\":3}}";
        as("vera", "viewer").contentType(ContentType.JSON).body(body).when().post("/api/training/jobs").then()
                .statusCode(403);
        as("olga", "operator").contentType(ContentType.JSON).body(body).when().post("/api/training/jobs").then()
                .statusCode(202).body("id", equalTo("job-new")).body("status", equalTo("QUEUED"));
        assertTrue(TrainerStandIn.SUBMITTED.contains(body), "the body reaches the trainer as it is");
        as("olga", "operator").contentType(ContentType.JSON).body("{\"type\":\"pipeline\",\"options\":{\"bogus\":1}}")
                .when().post("/api/training/jobs").then().statusCode(400)
                .body("error", containsString("Unknown option: '--bogus'"));
        as("vera", "viewer").when().delete("/api/training/jobs/job-run").then().statusCode(403);
        as("olga", "operator").when().delete("/api/training/jobs/job-run").then().statusCode(202);
        as("olga", "operator").when().delete("/api/training/jobs/job-ok").then().statusCode(409)
                .body("error", containsString("already ended"));
    }

    @Test
    void progressIsRelayedAsServerSentEventsUntilTheJobEnds() {
        String sse = as("vera", "viewer").accept("text/event-stream").when().get("/api/training/jobs/job-run/events")
                .then().statusCode(200).extract().asString();
        List<String> data = sse.lines().filter(l -> l.startsWith("data:")).toList();
        assertEquals(3, data.size(), sse);
        assertTrue(data.get(0).contains("\"done\":1") && data.get(0).contains("RUNNING"), sse);
        assertTrue(data.get(2).contains("SUCCEEDED"), sse);
    }

    @Test
    void registerFromJobFetchesTheArtifactsAndRunsTheRegistrysChecks() {
        as("vera", "viewer").when().post("/api/training/jobs/job-ok/register").then().statusCode(403);
        byte[] fixture = readFixture();
        as("olga", "operator").when().post("/api/training/jobs/job-ok/register").then().statusCode(201)
                .body("manifest.version", equalTo(TrainerStandIn.TRAINED_VERSION))
                .body("manifest.onnxSha256", equalTo(TestModels.SHA256))
                .body("registeredBy", containsString("olga"));
        byte[] stored = as("vera", "viewer").when().get("/api/models/polyp-unet/" + TrainerStandIn.TRAINED_VERSION
                + "/model.onnx").then().statusCode(200).extract().asByteArray();
        assertArrayEquals(fixture, stored);
        // the same job again: versions are immutable
        as("olga", "operator").when().post("/api/training/jobs/job-ok/register").then().statusCode(409)
                .body("field", equalTo("manifest.version"));
        // a manifest that does not match its graph is refused like an upload, naming the field
        as("olga", "operator").when().post("/api/training/jobs/job-bad/register").then().statusCode(400)
                .body("field", equalTo("manifest.input.width"));
        as("vera", "viewer").when().get("/api/models/polyp-unet/trained-bad").then().statusCode(404);
        // a job without artifacts yet: the trainer's refusal, with its status
        as("olga", "operator").when().post("/api/training/jobs/job-run/register").then().statusCode(409)
                .body("error", containsString("no artifacts yet")).body("field", nullValue());
    }

    private static byte[] readFixture() {
        try {
            return java.nio.file.Files.readAllBytes(TestModels.ONNX);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
