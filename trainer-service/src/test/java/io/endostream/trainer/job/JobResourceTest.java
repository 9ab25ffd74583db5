package io.endostream.trainer.job;

import io.endostream.trainer.testing.SyntheticPolyps;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST job API on real (tiny) DL4J jobs: submit, queue, progress over SSE, status, cancel, bad requests. */
@QuarkusTest
@QuarkusTestResource(TrainerTestEnvironment.class)
class JobResourceTest {

    @TestHTTPResource("/jobs")
    URL jobs;

    @Test
    void lifecycleOfTinyFinetuneJobsWithQueueCancelAndEvents() throws Exception {
        Path data = Files.createTempDirectory(TrainerTestEnvironment.dataRoot(), "jobs-data");
        SyntheticPolyps.writeLabelled(data, 6, 2, 40, 40, "png");

        // a long job runs first, so the next ones queue behind it
        String longJob = submit(Map.of("dataset", data.toString(), "input-size", 32, "epochs", 500, "batch", 4,
                "val-fraction", 0.34, "patience", 0));
        String quick = submit(Map.of("dataset", data.toString(), "input-size", 32, "epochs", 1, "batch", 4,
                "val-fraction", 0.34));
        String doomed = submit(Map.of("dataset", data.toString(), "input-size", 32, "epochs", 1));
        operator().get(jobs + "/" + doomed).then().statusCode(200).body("status", equalTo("QUEUED"));

        // cancelling a queued job ends it at once; cancelling it again is a conflict
        operator().delete(jobs + "/" + doomed).then().statusCode(202).body("status", equalTo("CANCELLED"));
        operator().delete(jobs + "/" + doomed).then().statusCode(409).body("error", containsString("already ended"));

        // the running job reports progress, then stops on cancel after its current iteration
        awaitProgress(longJob);
        operator().delete(jobs + "/" + longJob).then().statusCode(202);

        // the quick job runs next: its event stream goes from queued/running through progress to SUCCEEDED
        List<String> events = readEvents(quick);
        assertTrue(events.size() >= 3, "events: " + events);
        assertTrue(events.get(events.size() - 1).contains("\"status\":\"SUCCEEDED\""), events.get(events.size() - 1));
        assertTrue(events.stream().anyMatch(e -> e.contains("\"phase\":\"finetune\"")), "progress events: " + events);

        operator().get(jobs + "/" + longJob).then().statusCode(200).body("status", equalTo("CANCELLED"));
        operator().get(jobs + "/" + quick).then().statusCode(200)
                .body("status", equalTo("SUCCEEDED"))
                .body("result.best_val_dice", greaterThanOrEqualTo(0f))
                .body("runDir", notNullValue());
        String runDir = operator().get(jobs + "/" + quick).then().extract().path("runDir");
        assertTrue(Files.isRegularFile(Path.of(runDir, "metrics.json")), runDir);
        assertTrue(Files.isRegularFile(Path.of(runDir, "checkpoints", "best.zip")), runDir);

        List<String> ids = operator().get(jobs.toString()).then().statusCode(200).extract().path("id");
        assertTrue(ids.containsAll(List.of(longJob, quick, doomed)), ids.toString());
    }

    @Test
    void badRequestsGet4xxWithAMessage() {
        operator().contentType(ContentType.JSON).body(Map.of("type", "dance", "options", Map.of()))
                .post(jobs.toString()).then().statusCode(400).body("error", containsString("type 'dance' is unknown"))
                .body("field", equalTo("type"));
        operator().contentType(ContentType.JSON).body(Map.of("type", "finetune", "options", Map.of("epochs", 2)))
                .post(jobs.toString()).then().statusCode(400).body("error", containsString("--dataset"))
                .body("field", equalTo("options.dataset"));
        operator().contentType(ContentType.JSON).body(Map.of("type", "finetune", "options", Map.of("dataset", "x", "epochz", 2)))
                .post(jobs.toString()).then().statusCode(400).body("error", containsString("epochz"))
                .body("field", equalTo("options.epochz"));
        operator().get(jobs + "/nope").then().statusCode(404).body("error", containsString("nope"));
        operator().delete(jobs + "/nope").then().statusCode(404);
    }

    private static RequestSpecification operator() {
        return given().auth().oauth2(TrainerTestEnvironment.operator());
    }

    private String submit(Map<String, Object> options) {
        return operator().contentType(ContentType.JSON).body(Map.of("type", "finetune", "options", options))
                .post(jobs.toString()).then().statusCode(202)
                .header("Location", containsString("/jobs/"))
                .extract().path("id");
    }

    private void awaitProgress(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            Integer done = operator().get(jobs + "/" + id).then().statusCode(200).extract().path("progress.done");
            String phase = operator().get(jobs + "/" + id).then().extract().path("progress.phase");
            if ("finetune".equals(phase) && done != null && done >= 1) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + id + " made no training progress");
    }

    private List<String> readEvents(String id) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(URI.create(jobs + "/" + id + "/events"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + TrainerTestEnvironment.viewer()).timeout(Duration.ofMinutes(4)).build();
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
