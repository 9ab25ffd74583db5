package io.endostream.gateway.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One packaged inference-service ({@code inference-service/target/quarkus-app/quarkus-run.jar}) running as its own
 * process, following the gateway's control plane. Output goes to a log file under {@code target/it-logs}. A JVM
 * shutdown hook kills it if the test JVM ends without {@link #stop()} (no orphan JVMs after a crashed test run).
 */
public final class InferenceInstance implements AutoCloseable {

    /** Where the reactor packages inference-service (gateway's pom orders the build so it exists before tests). */
    public static final Path RUN_JAR = Path.of("../inference-service/target/quarkus-app/quarkus-run.jar");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * What every instance of a test shares.
     *
     * @param bootstrapServers the broker
     * @param gatewayUrl       the gateway base URL
     * @param token            viewer token for artifact downloads (given through the environment, not the command line)
     * @param modelDir         the model served before the first plan arrives (inference requires one)
     * @param workDir          per-instance caches and logs go below this
     * @param extraSettings    further -D settings
     */
    public record Settings(String bootstrapServers, String gatewayUrl, String token, Path modelDir, Path workDir,
                           Map<String, String> extraSettings) {
    }

    private final String instanceId;
    private final int port;
    private final Process process;
    private final Path log;
    private final Thread killOnExit;

    private InferenceInstance(String instanceId, int port, Process process, Path log) {
        this.instanceId = instanceId;
        this.port = port;
        this.process = process;
        this.log = log;
        this.killOnExit = new Thread(process::destroyForcibly, "kill-" + instanceId);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Fails with what to do when the packaged app is missing. */
    public static void requirePackagedApp() {
        if (!Files.isRegularFile(RUN_JAR)) {
            throw new IllegalStateException("the packaged inference-service is missing: " + RUN_JAR.toAbsolutePath()
                    + ". Build it with the reactor before gateway's tests, e.g. `./mvnw -B -ntp verify -pl gateway -am` "
                    + "(gateway's pom depends on inference-service, so -am packages it first)");
        }
    }

    /** Starts an instance with this id; returns at once (use {@link #awaitReady}). */
    public static InferenceInstance start(String instanceId, Settings s) throws IOException {
        requirePackagedApp();
        int port = freePort();
        Path dir = Files.createDirectories(s.workDir().resolve(instanceId));
        Path log = s.workDir().resolve(instanceId + ".log");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.port", String.valueOf(port));
        props.put("kafka.bootstrap.servers", s.bootstrapServers());
        props.put("endostream.inference.model.dir", s.modelDir().toAbsolutePath().toString());
        props.put("endostream.inference.model.cache-dir", dir.resolve("models").toString());
        props.put("endostream.control-plane.enabled", "true");
        props.put("endostream.control-plane.gateway-url", s.gatewayUrl());
        props.put("endostream.control-plane.instance-id", instanceId);
        props.put("endostream.control-plane.cache-dir", dir.resolve("control-models").toString());
        props.put("endostream.control-plane.telemetry-interval", "1s");
        props.put("endostream.control-plane.retry-after", "2s");
        // small and cheap: one codec thread, one ORT thread, one warm-up run; every frame processed (no stale skips,
        // so each frame must end as a mask or a dead letter)
        props.put("endostream.inference.stream.lossless", "true");
        props.put("endostream.inference.stream.codec-threads", "1");
        props.put("endostream.inference.onnx-runtime.intra-op-threads", "1");
        props.put("endostream.inference.onnx-runtime.warmup-runs", "1");
        props.put("endostream.inference.batching.max-batch-size", "4");
        // the shadow runs whatever the machine's load (its budget is ShadowBudgetTest's business, not this test's)
        props.put("endostream.shadow.max-primary-wait", "10s");
        props.put("endostream.shadow.max-share", "1");
        props.put("quarkus.log.category.\"org.apache.kafka\".level", "WARN");
        props.putAll(s.extraSettings());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(RUN_JAR.toAbsolutePath().toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("ENDOSTREAM_CONTROL_PLANE_TOKEN", s.token());
        return new InferenceInstance(instanceId, port, builder.start(), log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    public String id() {
        return instanceId;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** GET a JSON path of this instance, or null when it does not answer (yet). */
    public JsonNode get(String path) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The plan revision this instance routes by, or -2 when it does not answer. */
    public long planRevision() {
        JsonNode status = get("/api/control-plane");
        return status == null ? -2 : status.path("status").path("planRevision").asLong(-2);
    }

    /** The follower's status (planRevision, failedVersions, verificationFailures, ...), or null. */
    public JsonNode controlPlaneStatus() {
        JsonNode status = get("/api/control-plane");
        return status == null ? null : status.path("status");
    }

    /** Readiness: the plan's stable version is loaded and the frames consumer has partitions. */
    public boolean ready() {
        return process.isAlive() && get("/q/health/ready") != null;
    }

    /** Graceful stop (SIGTERM: in-flight frames finish, partitions are handed over), then a kill after 30 s. */
    public void stop() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook kills it
        }
    }

    /** The last lines of the log, for failure messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return instanceId + " log (" + log + "):\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return instanceId + ": no log (" + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
    }
}
