package io.endostream.gateway.training;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.endostream.gateway.TestModels;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small stand-in for trainer-service's job API (a real trainer is too slow for the gateway's tests), speaking the
 * contract the gateway codes against: {@code POST/GET /jobs}, {@code GET /jobs/{id}}, {@code /events} (SSE),
 * {@code /history}, {@code /samples.png}, {@code /artifacts/model.onnx|manifest.json}, {@code DELETE /jobs/{id}}.
 * It refuses calls without a bearer token (401) and records every Authorization header it receives.
 *
 * <p>Jobs: {@code job-ok} succeeded with the fixture model as a new version {@value #TRAINED_VERSION};
 * {@code job-browser} likewise as {@value #BROWSER_VERSION}; {@code job-bad} succeeded with a manifest that does not match its graph; {@code job-run} is running (its events
 * are three progress updates, then the end).
 */
public class TrainerStandIn implements QuarkusTestResourceLifecycleManager {

    public static final String TRAINED_VERSION = "trained-1";
    /** The version of {@code job-browser}'s model (the browser test registers it). */
    public static final String BROWSER_VERSION = "trained-browser";
    /** Authorization headers received, in order. */
    public static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    /** Bodies of POST /jobs received. */
    public static final List<String> SUBMITTED = new CopyOnWriteArrayList<>();

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.createContext("/jobs", this::handle);
            server.start();
            return Map.of("endostream.gateway.trainer-url", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "endostream.gateway.trainer-job-template", "{\"type\":\"pipeline\",\"options\":{\"dataset\":\"sim-seg\"}}");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static String job(String id, String status, long done, String phase) {
        return "{\"id\":\"" + id + "\",\"type\":\"pipeline\",\"status\":\"" + status + "\",\"submittedAt\":\"2026-11-29T12:00:00Z\","
                + "\"progress\":{\"phase\":\"" + phase + "\",\"done\":" + done + ",\"total\":3,\"fraction\":" + (done / 3.0)
                + ",\"etaSeconds\":" + (3 - done) + ",\"metrics\":{\"loss\":" + (1.0 / (done + 1)) + "},\"message\":\"iteration " + done + "/3\"},"
                + "\"result\":null,\"error\":null}";
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            AUTHORIZATIONS.add(String.valueOf(auth));
            if (auth == null || !auth.startsWith("Bearer ")) {
                send(ex, 401, "application/json", "{\"error\":\"no bearer token\"}");
                return;
            }
            String method = ex.getRequestMethod();
            String path = ex.getRequestURI().getPath();
            if (path.equals("/jobs") && method.equals("GET")) {
                send(ex, 200, "application/json", "[" + job("job-ok", "SUCCEEDED", 3, "export") + ","
                        + job("job-browser", "SUCCEEDED", 3, "export") + "," + job("job-run", "RUNNING", 1, "finetune") + "]");
            } else if (path.equals("/jobs") && method.equals("POST")) {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                SUBMITTED.add(body);
                if (body.contains("bogus")) {
                    send(ex, 400, "application/json", "{\"error\":\"pipeline: Unknown option: '--bogus'\"}");
                } else {
                    send(ex, 202, "application/json", job("job-new", "QUEUED", 0, "queued"));
                }
            } else if (path.equals("/jobs/job-run/events")) {
                ex.getResponseHeaders().add("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                for (int i = 1; i <= 3; i++) {
                    String status = i == 3 ? "SUCCEEDED" : "RUNNING";
                    out.write(("data:" + job("job-run", status, i, "finetune") + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } else if (path.equals("/jobs/job-run") && method.equals("DELETE")) {
                send(ex, 202, "application/json", job("job-run", "RUNNING", 1, "finetune"));
            } else if (path.equals("/jobs/job-ok") && method.equals("DELETE")) {
                send(ex, 409, "application/json", "{\"error\":\"job job-ok has already ended: SUCCEEDED\"}");
            } else if (path.equals("/jobs/job-ok") || path.equals("/jobs/job-run")) {
                send(ex, 200, "application/json", job(path.substring(6), path.endsWith("ok") ? "SUCCEEDED" : "RUNNING", 3, "export"));
            } else if ((path.equals("/jobs/job-ok/history") || path.equals("/jobs/job-browser/history"))) {
                // the trainer's shape: one entry per run that recorded epochs, rows from its metrics.json
                send(ex, 200, "application/json", "{\"id\":\"job-ok\",\"type\":\"pipeline\",\"status\":\"SUCCEEDED\",\"runs\":["
                        + "{\"phase\":\"pretrain\",\"kind\":\"pretrain\",\"stoppedBy\":\"iterations\",\"rows\":["
                        + "{\"epoch\":1.0,\"train_loss\":0.9},{\"epoch\":2.0,\"train_loss\":0.5}]},"
                        + "{\"phase\":\"finetune\",\"kind\":\"finetune\",\"stoppedBy\":\"iterations\",\"rows\":["
                        + "{\"epoch\":1.0,\"train_loss\":0.8,\"val_dice\":0.3},{\"epoch\":2.0,\"train_loss\":0.6,\"val_dice\":0.5},"
                        + "{\"epoch\":3.0,\"train_loss\":0.4,\"val_dice\":0.6}]}]}");
            } else if ((path.equals("/jobs/job-ok/samples.png") || path.equals("/jobs/job-browser/samples.png"))) {
                send(ex, 200, "image/png", samplePng());
            } else if (path.equals("/jobs/job-ok/artifacts/manifest.json")) {
                send(ex, 200, "application/json", TestModels.manifestJson(TRAINED_VERSION));
            } else if (path.equals("/jobs/job-browser/artifacts/manifest.json")) {
                send(ex, 200, "application/json", TestModels.manifestJson(BROWSER_VERSION));
            } else if (path.equals("/jobs/job-bad/artifacts/manifest.json")) {
                send(ex, 200, "application/json", TestModels.manifestJson("trained-bad").replace("\"width\" : 128", "\"width\" : 256"));
            } else if (path.matches("/jobs/job-(ok|bad|browser)/artifacts/model\\.onnx")) {
                send(ex, 200, "application/octet-stream", Files.readAllBytes(TestModels.ONNX));
            } else if (path.startsWith("/jobs/job-run/artifacts/")) {
                send(ex, 409, "application/json", "{\"error\":\"job job-run has no artifacts yet: RUNNING\"}");
            } else {
                send(ex, 404, "application/json", "{\"error\":\"no job " + path + "\"}");
            }
        } catch (Exception e) {
            send(ex, 500, "text/plain", e.toString());
        }
    }

    static byte[] samplePng() throws IOException {
        BufferedImage img = new BufferedImage(96, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 96; x++) {
                boolean inside = (x - 48) * (x - 48) + (y - 32) * (y - 32) < 300;
                img.setRGB(x, y, x < 32 ? 0xb04030 : inside ? 0xffffff : 0);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }
}
