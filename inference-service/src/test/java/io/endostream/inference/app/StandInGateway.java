package io.endostream.inference.app;

import com.sun.net.httpserver.HttpServer;
import io.endostream.inference.support.TestModels;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.Map;

/**
 * Serves what inference needs from a gateway, as the gateway does: {@code /q/health/ready} and the fixture's ONNX
 * file under {@code /api/models/<name>/<version>/model.onnx} for any version (bearer token required).
 */
public class StandInGateway implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "stand-in-token";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            byte[] onnx = Files.readAllBytes(TestModels.fixture().resolve("model.onnx"));
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                boolean authorised = ("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] body = path.equals("/q/health/ready") ? "{}".getBytes()
                        : authorised && path.endsWith("/model.onnx") ? onnx : null;
                if (body == null) {
                    exchange.sendResponseHeaders(authorised ? 404 : 401, -1);
                } else {
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                }
                exchange.close();
            });
            server.start();
            return Map.of("endostream.control-plane.enabled", "true",
                    "endostream.control-plane.gateway-url", "http://127.0.0.1:" + server.getAddress().getPort(),
                    "endostream.control-plane.token", TOKEN,
                    "endostream.control-plane.instance-id", "inf-quarkus-test",
                    "endostream.control-plane.telemetry-interval", "500ms",
                    // the test creates the assignments topic after start-up: do not wait 30 s for a control plane
                    // that cannot be read yet (start-up proceeds on the bootstrap model, as intended there)
                    "endostream.control-plane.startup-sync-timeout", "2s",
                    "endostream.control-plane.cache-dir", Files.createTempDirectory("cp-cache").toString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
