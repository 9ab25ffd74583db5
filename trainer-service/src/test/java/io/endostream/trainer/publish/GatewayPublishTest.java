package io.endostream.trainer.publish;

import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.trainer.cli.TrainerCli;
import io.endostream.trainer.run.RunFolder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code trainer publish --gateway}: against a small in-test HTTP server (Vert.x with its multipart parser) that
 * stands in for the gateway's {@code POST /api/models} (gateway/.../ModelsResource: parts {@code manifest} and
 * {@code model}, 201 with the registered version, refusals {@code {"status","field","error"}}). The real gateway
 * builds after trainer-service in the reactor, so it cannot serve here.
 */
class GatewayPublishTest {

    @TempDir
    Path dir;
    Path export;
    String sha;
    Vertx vertx;
    HttpServer server;
    String url;
    /** What the stand-in gateway received, one entry per request. */
    final List<Map<String, Object>> received = new ArrayList<>();
    /** Status and body the stand-in answers; 201 means: echo the registered version. */
    volatile int answerStatus = 201;
    volatile String answerBody;

    @BeforeEach
    void setUp() throws Exception {
        export = Files.createDirectories(dir.resolve("export"));
        byte[] onnx = "not really onnx, but bytes with a SHA-256".getBytes();
        Files.write(export.resolve("model.onnx"), onnx);
        sha = ModelManifest.sha256(export.resolve("model.onnx"));
        new ModelManifest("polyp-test", "2026.11.29-1", sha, "model.onnx",
                new ModelManifest.Input("input", "NCHW", 32, 32, "RGB", new double[]{0, 0, 0}, new double[]{1, 1, 1},
                        1.0 / 255, true, 8),
                new ModelManifest.Output("mask", "none", 0.5), null, Map.of("dice", 0.5), null)
                .write(export.resolve("manifest.json"));

        vertx = Vertx.vertx();
        Router router = Router.router(vertx);
        router.post("/api/models").handler(BodyHandler.create().setUploadsDirectory(dir.resolve("uploads").toString()));
        router.post("/api/models").handler(ctx -> {
            Map<String, Object> got = new LinkedHashMap<>();
            got.put("authorization", ctx.request().getHeader("Authorization"));
            got.put("contentType", ctx.request().getHeader("Content-Type"));
            for (FileUpload f : ctx.fileUploads()) {
                got.put(f.name() + ".fileName", f.fileName());
                got.put(f.name() + ".contentType", f.contentType());
                got.put(f.name() + ".bytes", vertx.fileSystem().readFileBlocking(f.uploadedFileName()).getBytes());
            }
            synchronized (received) {
                received.add(got);
            }
            if (got.get("authorization") == null) { // as the gateway: @RolesAllowed without a token
                ctx.response().setStatusCode(401).end();
            } else if (answerStatus == 201) {
                ModelManifest m = ModelManifest.read(new java.io.ByteArrayInputStream((byte[]) got.get("manifest.bytes")));
                String record = "{\"manifest\":" + m.toJson() + ",\"sizeBytes\":" + ((byte[]) got.get("model.bytes")).length
                        + ",\"artifactPath\":\"/api/artifacts/" + m.onnxSha256() + "\",\"status\":\"active\","
                        + "\"registeredBy\":\"olga\"}";
                ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").end(record);
            } else {
                ctx.response().setStatusCode(answerStatus).putHeader("Content-Type", "application/json").end(answerBody);
            }
        });
        server = vertx.createHttpServer().requestHandler(router).listen(0).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        url = "http://localhost:" + server.actualPort();
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void uploadsTheExportAsTheGatewaysMultipartFormAndPrintsTheRegisteredVersion() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("token"), "secret-token-value\n");
        Result r = cli("publish", "--export", export.toString(), "--gateway", url, "--token-file", tokenFile.toString());
        assertEquals(0, r.code, r.err);
        assertEquals(1, received.size());
        Map<String, Object> got = received.get(0);
        assertEquals("Bearer secret-token-value", got.get("authorization"));
        assertTrue(String.valueOf(got.get("contentType")).startsWith("multipart/form-data"), got.toString());
        assertEquals("manifest.json", got.get("manifest.fileName"));
        assertTrue(String.valueOf(got.get("manifest.contentType")).startsWith("application/json"), got.toString());
        JsonNode sentManifest = RunFolder.JSON.readTree((byte[]) got.get("manifest.bytes"));
        assertEquals(sha, sentManifest.path("onnxSha256").asText());
        assertEquals("model.onnx", got.get("model.fileName"));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(export.resolve("model.onnx")), (byte[]) got.get("model.bytes")));
        assertTrue(r.out.contains("registered polyp-test:2026.11.29-1"), r.out);
        assertTrue(r.out.contains("sha256 " + sha), r.out);
        assertFalse(r.out.contains("secret-token-value") || r.err.contains("secret-token-value"), "the token is never printed");
    }

    @Test
    void aRefusalPrintsTheGatewaysFieldAndMessageAndExitsNonZero() {
        answerStatus = 400;
        answerBody = "{\"status\":400,\"field\":\"manifest.input.width\",\"error\":\"input.width is 32 but the graph's "
                + "input is 64 wide\"}";
        Path tokenFile = write("token", "t");
        Result r = cli("publish", "--export", export.toString(), "--gateway", url + "/", "--token-file", tokenFile.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.startsWith("error: the gateway refused the model (HTTP 400, field manifest.input.width): "
                + "input.width is 32 but the graph's input is 64 wide"), r.err);

        answerStatus = 409;
        answerBody = "{\"status\":409,\"field\":\"manifest.version\",\"error\":\"polyp-test:2026.11.29-1 is already registered\"}";
        r = cli("publish", "--export", export.toString(), "--gateway", url, "--token-file", tokenFile.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("HTTP 409, field manifest.version): polyp-test:2026.11.29-1 is already registered"), r.err);
    }

    @Test
    void withoutATokenTheErrorSaysHowToGiveOne() {
        Result r = cli("publish", "--export", export.toString(), "--gateway", url);
        if (System.getenv("ENDOSTREAM_TOKEN") != null) {
            return; // the environment supplies a token: this case cannot be shown here
        }
        assertEquals(2, r.code);
        assertTrue(r.err.contains("HTTP 401") && r.err.contains("--token-file"), r.err);
    }

    @Test
    void aTamperedExportIsRefusedBeforeAnythingIsSent() throws Exception {
        Files.writeString(export.resolve("model.onnx"), "changed after export");
        Result r = cli("publish", "--export", export.toString(), "--gateway", url, "--token-file", write("t", "t").toString());
        assertEquals(2, r.code);
        assertTrue(r.err.contains("has SHA-256"), r.err);
        assertEquals(0, received.size());
    }

    @Test
    void anUnreachableGatewayIsAClearError() throws Exception {
        String closed = url;
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx = Vertx.vertx();
        Result r = cli("publish", "--export", export.toString(), "--gateway", closed, "--token-file", write("t", "t").toString(),
                "--timeout-seconds", "10");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("cannot reach the gateway at " + closed + "/api/models"), r.err);
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = TrainerCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
