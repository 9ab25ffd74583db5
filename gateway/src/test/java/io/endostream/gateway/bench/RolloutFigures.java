package io.endostream.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.endostream.gateway.TestModels;
import io.endostream.gateway.it.InferenceInstance;
import io.endostream.gateway.it.StreamTraffic;
import io.endostream.local.audit.FrameAudit;
import io.smallrye.jwt.build.Jwt;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Issue #8's figures under continuous streams through the shipped services: the packaged gateway, two packaged
 * inference-service instances in one group, and the broker in its own JVM ({@code endostream-local broker}); streams
 * at 25 fps, 160x128. Measures, for a promotion and for a rollback (abort of a 50 % canary):
 * <ul>
 *   <li>frames lost: frames with neither a mask nor a dead letter ({@link FrameAudit} on the topics; the instances
 *       run lossless, so there are no skips);</li>
 *   <li>primary end-to-end p99 ({@code ce_endtoendms} of the masks) of frames captured in the swap window (from the
 *       plan change to 3 s after every instance follows it) against the steady phase before;</li>
 *   <li>time from the plan change (the REST call returning) until every instance routes by the new revision
 *       (each instance's {@code /api/control-plane} polled every 10 ms).</li>
 * </ul>
 * A benchmark, not a test: run it with {@code gateway/bench/rollout-figures.sh}; it prints the figures.
 * Arguments: {@code [streams] [steady-seconds] [warm-up-seconds]} (default 4 streams, 15 s, 20 s: the instances' first
 * frames after start are slower, and a steady phase that includes them makes every swap look cheap).
 */
public final class RolloutFigures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ISSUER = "endostream-bench";
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private final List<Process> processes = new ArrayList<>();

    RolloutFigures() {
        // the broker and the gateway die with this JVM whatever happens (InferenceInstance does the same)
        Runtime.getRuntime().addShutdownHook(new Thread(() -> processes.forEach(Process::destroyForcibly)));
    }
    private final List<InferenceInstance> instances = new ArrayList<>();
    private String gateway;
    private KeyPair keys;

    public static void main(String[] args) throws Exception {
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int steadySeconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int warmUpSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        RolloutFigures bench = new RolloutFigures();
        try {
            bench.run(streams, steadySeconds, warmUpSeconds);
        } finally {
            bench.stopAll();
        }
        System.exit(0);
    }

    void run(int streamCount, int steadySeconds, int warmUpSeconds) throws Exception {
        InferenceInstance.requirePackagedApp();
        Path gatewayJar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(gatewayJar)) {
            throw new IllegalStateException("package the gateway first: " + gatewayJar.toAbsolutePath());
        }
        Path work = Files.createDirectories(Path.of("target/bench/rollout-" + System.currentTimeMillis()));
        int brokerPort = freePort();
        String bootstrap = "localhost:" + brokerPort;
        processes.add(new ProcessBuilder(ROOT.resolve("deploy/local/bin/endostream-local").toString(), "broker",
                "--data-dir", work.resolve("kafka").toAbsolutePath().toString(), "--port", String.valueOf(brokerPort),
                "--controller-port", String.valueOf(freePort()), "--partitions", "4")
                .redirectErrorStream(true).redirectOutput(work.resolve("broker.log").toFile()).start());
        awaitPort(brokerPort, Duration.ofMinutes(3), "broker");
        awaitTopic(bootstrap, "endoscopy.masks.shadow"); // the broker command creates the data topics after start

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        keys = generator.generateKeyPair();
        Path publicKey = work.resolve("jwt-public.pem");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        int gatewayPort = freePort();
        gateway = "http://localhost:" + gatewayPort;
        processes.add(new ProcessBuilder(java(), "-Xmx384m", "-XX:+UseSerialGC",
                "-Dquarkus.http.port=" + gatewayPort, "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dmp.jwt.verify.publickey.location=" + publicKey.toAbsolutePath(), "-Dmp.jwt.verify.issuer=" + ISSUER,
                "-Dendostream.gateway.store.dir=" + work.resolve("artifacts").toAbsolutePath(),
                "-Dendostream.gateway.analysis.interval=1s", "-jar", gatewayJar.toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("gateway.log").toFile()).start());
        awaitPort(gatewayPort, Duration.ofMinutes(3), "gateway");

        register("bench-1", TestModels.manifestJson("bench-1"));
        register("bench-2", TestModels.manifestJson("bench-2"));
        register("bench-3", TestModels.manifestJson("bench-3"));
        call("PUT", "/api/deployments/default/stable", "{\"model\":\"polyp-unet:bench-1\"}");
        for (String id : List.of("bench-a", "bench-b")) {
            instances.add(InferenceInstance.start(id, new InferenceInstance.Settings(bootstrap, gateway,
                    token(id, "viewer"), TestModels.DIR, work, Map.of("endostream.inference.stream.codec-threads", "2"))));
        }
        long stableRevision = plan().path("revision").asLong();
        awaitFollowing(stableRevision);

        try (StreamTraffic traffic = new StreamTraffic(bootstrap)) {
            List<String> streams = new ArrayList<>();
            for (int i = 0; i < streamCount; i++) {
                streams.add("bench-" + UUID.randomUUID().toString().substring(0, 8));
            }
            Collection<String> sent = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            long since = System.currentTimeMillis();
            Thread sender = traffic.continuous(streams, 25, stop, sent);
            try {
                Thread.sleep(warmUpSeconds * 1000L); // warm-up: not measured
                long steadyFrom = System.currentTimeMillis();
                Thread.sleep(steadySeconds * 1000L);
                long steadyTo = System.currentTimeMillis();

                // SHADOW=1: the candidate also shadows every stream it does not serve (frames copied to it, masks to
                // the shadow topic), so the swaps are measured with a shadow running
                String shadow = "1".equals(System.getenv("SHADOW")) ? "\"shadowPercent\":100," : "";
                // a 50 % canary of bench-2 (its load and warm-up happen under traffic), then promotion by hand
                Swap canary = swap("POST", "/api/deployments/default/rollout",
                        canaryRequest("polyp-unet:bench-2", shadow));
                Thread.sleep(5000);
                Swap promotion = swap("POST", "/api/deployments/default/promote", "{\"reason\":\"bench\"}");
                Thread.sleep(5000);
                Swap canary3 = swap("POST", "/api/deployments/default/rollout",
                        canaryRequest("polyp-unet:bench-3", shadow));
                Thread.sleep(5000);
                Swap rollback = swap("POST", "/api/deployments/default/abort", "{\"reason\":\"bench\"}");
                Thread.sleep(5000);
                stop.set(true);
                sender.join();
                long until = System.currentTimeMillis() + 1;

                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (!traffic.allAnswered(sent) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                FrameAudit.Report audit = new FrameAudit(bootstrap).audit(since, until, Duration.ofSeconds(20));
                List<StreamTraffic.MaskSeen> masks = traffic.masks(sent);
                double steadyP99 = p99(masks, steadyFrom, steadyTo);
                System.out.printf(Locale.ROOT, "%nrollout figures: %d streams x 25 fps, 160x128, 2 inference instances "
                        + "(lossless), gateway and broker in their own JVMs%s%n", streamCount,
                        shadow.isEmpty() ? "" : "; the candidate shadows every stream it does not serve");
                System.out.printf(Locale.ROOT, "frames sent %d, audited %d, masked %d, dead letters %d, LOST %d, "
                                + "duplicate masks %d, out of order %d%n", sent.size(), audit.frames(), audit.masked(),
                        audit.deadLettered(), audit.unaccounted(), audit.duplicateMasks(), audit.outOfOrder());
                System.out.printf(Locale.ROOT, "steady p99 %.0f ms over %d masks%n", steadyP99,
                        count(masks, steadyFrom, steadyTo));
                for (Swap s : List.of(canary, promotion, canary3, rollback)) {
                    s.print(masks, steadyP99);
                }
                System.out.println("uptime: " + uptime());
            } finally {
                stop.set(true);
                sender.join();
            }
        }
    }

    /** A 50 % canary whose gates never advance it by themselves (the bench promotes and aborts by hand). */
    private static String canaryRequest(String candidate, String shadow) {
        return "{\"candidate\":\"" + candidate + "\"," + shadow + "\"steps\":[50,100],"
                + "\"gates\":{\"minFrames\":100000000,\"maxErrorRate\":1,\"maxP99Ratio\":0,\"minShadowFrames\":1000000}}";
    }

    /** A plan change: when the REST call returned, and when each instance routed by the new revision. */
    record Swap(String what, long revision, long changedAt, long allFollowAt, List<Long> followMs) {
        void print(List<StreamTraffic.MaskSeen> masks, double steadyP99) {
            long windowTo = allFollowAt + 3000;
            double p99 = p99(masks, changedAt, windowTo);
            System.out.printf(Locale.ROOT, "%-28s plan %d: every instance follows after %d ms (per instance %s); "
                            + "p99 in the swap window %.0f ms over %d masks = %.2fx steady%n", what, revision,
                    allFollowAt - changedAt, followMs, p99, count(masks, changedAt, windowTo), p99 / steadyP99);
        }
    }

    private Swap swap(String method, String path, String body) throws Exception {
        JsonNode plan = JSON.readTree(call(method, path, body));
        long changedAt = System.currentTimeMillis();
        long revision = plan.path("revision").asLong();
        List<Long> follow = new ArrayList<>();
        for (InferenceInstance instance : instances) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (instance.planRevision() < revision) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(instance.id() + " did not follow plan " + revision + "\n"
                            + instance.tail(30));
                }
                Thread.sleep(10);
            }
            follow.add(System.currentTimeMillis() - changedAt);
        }
        return new Swap(path.substring(path.lastIndexOf('/') + 1) + " " + plan.path("status").path("candidate")
                .path("version").asText(""), revision, changedAt, changedAt + follow.stream().mapToLong(l -> l).max()
                .orElse(0), follow);
    }

    static double p99(List<StreamTraffic.MaskSeen> masks, long from, long to) {
        double[] latencies = masks.stream().filter(m -> m.captureTimeMillis() >= from && m.captureTimeMillis() < to)
                .mapToDouble(StreamTraffic.MaskSeen::endToEndMs).sorted().toArray();
        if (latencies.length == 0) {
            return Double.NaN;
        }
        return latencies[Math.min(latencies.length - 1, (int) Math.ceil(0.99 * latencies.length) - 1)];
    }

    static long count(List<StreamTraffic.MaskSeen> masks, long from, long to) {
        return masks.stream().filter(m -> m.captureTimeMillis() >= from && m.captureTimeMillis() < to).count();
    }

    private void awaitFollowing(long revision) throws InterruptedException {
        for (InferenceInstance instance : instances) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!(instance.planRevision() >= revision && instance.ready())) {
                if (System.nanoTime() > deadline || !instance.alive()) {
                    throw new IllegalStateException(instance.id() + " not ready on plan " + revision + "\n"
                            + instance.tail(40));
                }
                Thread.sleep(200);
            }
        }
    }

    private JsonNode plan() throws Exception {
        return JSON.readTree(call("GET", "/api/deployments/default", null));
    }

    private String token(String user, String role) {
        return Jwt.issuer(ISSUER).upn(user).groups(Set.of(role)).expiresIn(3600).sign(keys.getPrivate());
    }

    private void register(String version, String manifestJson) throws Exception {
        String boundary = "bench" + UUID.randomUUID();
        byte[] onnx = Files.readAllBytes(TestModels.ONNX);
        var body = new java.io.ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"; filename=\"manifest.json\""
                + "\r\nContent-Type: application/json\r\n\r\n" + manifestJson + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"model\"; filename=\"model.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(onnx);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(gateway + "/api/models"))
                .header("Authorization", "Bearer " + token("bench", "operator"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IllegalStateException("register " + version + ": " + response.statusCode() + " " + response.body());
        }
    }

    private String call(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + path))
                .header("Authorization", "Bearer " + token("bench", "operator"));
        if (json == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    private static void awaitTopic(String bootstrap, String topic) throws Exception {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                Map.of("bootstrap.servers", bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!admin.listTopics().names().get().contains(topic)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + topic + " not created by the broker command");
                }
                Thread.sleep(250);
            }
        }
    }

    private static void awaitPort(int port, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("localhost", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(250);
            }
        }
        throw new IllegalStateException(what + " did not open port " + port + " within " + timeout);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim() + " (1, 5, 15 min load average, ...)";
        } catch (IOException e) {
            return "?";
        }
    }

    private void stopAll() {
        for (InferenceInstance instance : instances) {
            instance.stop();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.destroy();
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }
}
