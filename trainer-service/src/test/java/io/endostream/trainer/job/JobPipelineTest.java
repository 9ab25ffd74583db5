package io.endostream.trainer.job;

import io.endostream.contracts.model.ModelManifest;
import io.endostream.local.Native;
import io.endostream.local.simulator.SimulatedDatasets;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the dashboard does with the job API: a pipeline job on simulator data (tiny: 32x32, a few updates) reports
 * progress through every step, then its curves, sample grid and exported model are readable by a viewer; the
 * artifacts of a job that exports nothing are a 404 with a message.
 */
@QuarkusTest
@QuarkusTestResource(TrainerTestEnvironment.class)
class JobPipelineTest {

    @TestHTTPResource("/jobs")
    URL jobs;

    @Test
    void aPipelineJobTrainsEvaluatesAndExportsAVersionAndShowsItsCurvesSamplesAndArtifacts() throws Exception {
        Native.loadOpenCv();
        Path sim = TrainerTestEnvironment.dataRoot().resolve("sim-pipeline");
        SimulatedDatasets.writeLabelled(sim, 10, 5, 64, 64);

        String viewer = TrainerTestEnvironment.viewer();
        String id = given().auth().oauth2(TrainerTestEnvironment.operator()).contentType(ContentType.JSON)
                .body(Map.of("type", "pipeline", "options", Map.of("dataset", "sim-pipeline", "input-size", 32,
                        "batch", 4, "pretrain-iterations", 2, "finetune-iterations", 2, "eval-every", 1,
                        "model-version", "2026.11.29-test", "name", "polyp-pipeline")))
                .post(jobs.toString()).then().statusCode(202).extract().path("id");

        List<String> events = readEvents(id, viewer);
        String last = events.get(events.size() - 1);
        assertTrue(last.contains("\"status\":\"SUCCEEDED\""), last);
        for (String step : List.of("step 1/4 pretrain", "step 2/4 finetune", "step 3/4 evaluate", "step 4/4 export")) {
            assertTrue(events.stream().anyMatch(e -> e.contains(step)), step + " in " + events);
        }

        given().auth().oauth2(viewer).get(jobs + "/" + id).then().statusCode(200)
                .body("result.version", equalTo("2026.11.29-test"))
                .body("result.evaluatedOn", equalTo("validation"));

        Response history = given().auth().oauth2(viewer).get(jobs + "/" + id + "/history");
        history.then().statusCode(200).body("status", equalTo("SUCCEEDED")).body("type", equalTo("pipeline"))
                .body("runs.phase", equalTo(List.of("pretrain", "finetune")));
        List<Map<String, Object>> finetuneRows = history.path("runs[1].rows");
        assertEquals(2, finetuneRows.size(), "one row per validation (every update): " + finetuneRows);
        assertTrue(finetuneRows.get(1).containsKey("val_dice") && finetuneRows.get(1).containsKey("train_loss"),
                finetuneRows.toString());
        List<Map<String, Object>> pretrainRows = history.path("runs[0].rows");
        assertTrue(!pretrainRows.isEmpty() && pretrainRows.get(0).containsKey("train_loss"), pretrainRows.toString());

        byte[] png = given().auth().oauth2(viewer).get(jobs + "/" + id + "/samples.png").then().statusCode(200)
                .contentType("image/png").extract().asByteArray();
        assertArrayEquals(new byte[]{(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        given().auth().oauth2(viewer).get(jobs + "/" + id + "/samples.png?phase=pretrain").then().statusCode(200);

        byte[] onnx = given().auth().oauth2(viewer).get(jobs + "/" + id + "/artifacts/model.onnx").then()
                .statusCode(200).extract().asByteArray();
        String manifestJson = given().auth().oauth2(viewer).get(jobs + "/" + id + "/artifacts/manifest.json").then()
                .statusCode(200).contentType(ContentType.JSON).extract().asString();
        ModelManifest manifest = ModelManifest.read(new java.io.ByteArrayInputStream(
                manifestJson.getBytes(StandardCharsets.UTF_8))).validate();
        assertEquals("polyp-pipeline", manifest.name());
        assertEquals("2026.11.29-test", manifest.version());
        assertEquals(32, manifest.input().width());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(onnx)), manifest.onnxSha256());
        assertTrue(manifest.metrics().containsKey("dice"), "the evaluation's figures: " + manifest.metrics());

        // the run folder is below the run root, with the four steps' folders
        String runDir = given().auth().oauth2(viewer).get(jobs + "/" + id).then().extract().path("runDir");
        assertTrue(Path.of(runDir).startsWith(TrainerTestEnvironment.runRoot().toRealPath()), runDir);
        assertTrue(Files.isRegularFile(Path.of(runDir, "evaluate", "metrics.json")));
    }

    @Test
    void jobsThatExportNothingOrDoNotExistHaveNoArtifacts() {
        String viewer = TrainerTestEnvironment.viewer();
        // a finetune job whose dataset is missing fails at once; it exports nothing either way
        String id = given().auth().oauth2(TrainerTestEnvironment.operator()).contentType(ContentType.JSON)
                .body(Map.of("type", "finetune", "options", Map.of("dataset", "no-such-dataset")))
                .post(jobs.toString()).then().statusCode(202).extract().path("id");
        given().auth().oauth2(viewer).get(jobs + "/" + id + "/artifacts/model.onnx").then().statusCode(404)
                .body("error", containsString("only export and pipeline jobs export a model"));
        given().auth().oauth2(viewer).get(jobs + "/" + id + "/artifacts/manifest.json").then().statusCode(404);
        given().auth().oauth2(viewer).get(jobs + "/nope/artifacts/model.onnx").then().statusCode(404)
                .body("error", equalTo("no job nope"));
        given().auth().oauth2(viewer).get(jobs + "/nope/history").then().statusCode(404);
        // an export job that has not succeeded has nothing to download yet
        String export = given().auth().oauth2(TrainerTestEnvironment.operator()).contentType(ContentType.JSON)
                .body(Map.of("type", "export", "options", Map.of("checkpoint", "missing.zip", "model-version", "1")))
                .post(jobs.toString()).then().statusCode(202).extract().path("id");
        given().auth().oauth2(viewer).get(jobs + "/" + export + "/artifacts/model.onnx").then().statusCode(404)
                .body("error", containsString("has no exported model"));
        given().auth().oauth2(viewer).get(jobs + "/" + export + "/samples.png").then().statusCode(404)
                .body("error", containsString("no sample grid"));
    }

    private List<String> readEvents(String id, String token) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(jobs + "/" + id + "/events"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token)
                .timeout(Duration.ofMinutes(10)).build();
        HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) { // the server completes the stream when the job ends
                if (line.startsWith("data:")) {
                    events.add(line.substring(5).trim());
                }
            }
        }
        return events;
    }
}
