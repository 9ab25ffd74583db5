package io.endostream.inference.rollout;

import com.sun.net.httpserver.HttpServer;
import io.endostream.contracts.Topics;
import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.ModelVersionRecord;
import io.endostream.contracts.control.StreamAssignment;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.support.TestModels;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An inference instance follows the control topics of a real KRaft broker: it fetches the plan's versions from the
 * gateway's download endpoint (a stand-in HTTP server serving the fixture), verifies their SHA-256 against the
 * registered manifests, loads them before routing to them, refuses a tampered artifact while the loaded version keeps
 * serving, and records stream assignments on the shared topic.
 */
class RolloutFollowerTest {

    static final String TOKEN = "test-token";

    @TempDir
    Path tmp;

    @Test
    void followsPlansLoadsVerifiedVersionsAndRefusesATamperedOne() throws Exception {
        OpenCv.load();
        byte[] good = Files.readAllBytes(TestModels.fixture().resolve("model.onnx"));
        byte[] tampered = good.clone();
        tampered[tampered.length / 2] ^= 0x5A;
        AtomicInteger unauthorised = new AtomicInteger();
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] body;
            int status = 200;
            if (path.equals("/q/health/ready")) {
                body = "{}".getBytes();
            } else if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                unauthorised.incrementAndGet();
                status = 401;
                body = new byte[0];
            } else if (path.endsWith("/f2/model.onnx")) {
                body = tampered;
            } else {
                body = good;
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        gateway.start();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start()) {
            kafka.createCompactedTopics(1, Topics.MODELS, Topics.ROLLOUTS, Topics.ASSIGNMENTS, Topics.TELEMETRY);
            ModelManifest fixture = ModelManifest.read(TestModels.fixture().resolve(ModelManifest.FILE_NAME));
            ModelRef v1 = new ModelRef(fixture.name(), "f1");
            ModelRef v2 = new ModelRef(fixture.name(), "f2");
            try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                for (ModelRef v : List.of(v1, v2)) {
                    ModelManifest m = new ModelManifest(v.name(), v.version(), fixture.onnxSha256(), fixture.onnxFile(),
                            fixture.input(), fixture.output(), null, null, null);
                    producer.send(new ProducerRecord<>(Topics.MODELS, v.toString(), ControlJson.write(
                            new ModelVersionRecord(m, good.length, "/api/artifacts/" + m.onnxSha256(), "active",
                                    Instant.now().toString(), "olga", null, null, null)))).get();
                }
                producer.send(new ProducerRecord<>(Topics.ROLLOUTS, "default",
                        RolloutPlan.allOn(v1, 1, Instant.now().toString(), "olga").toJsonBytes())).get();
            }

            KafkaAssignmentStore store = new KafkaAssignmentStore(kafka.bootstrapServers(), Topics.ASSIGNMENTS,
                    Duration.ofMinutes(10), Clock.systemUTC());
            ModelRegistry registry = new ModelRegistry(store, "inf-1", Duration.ofSeconds(30), Clock.systemUTC());
            SessionSettings session = SessionSettings.cpu(1, 1);
            registry.add(LoadedModel.load(new ModelLoader(tmp).fromDirectory(TestModels.copyAs(tmp.resolve("boot"),
                    "boot", false)), session, Duration.ZERO, n -> { }));
            TelemetryRecorder telemetry = new TelemetryRecorder();
            RolloutFollower follower = new RolloutFollower(kafka.bootstrapServers(),
                    new RolloutFollower.Settings("default", Topics.ROLLOUTS, Topics.MODELS, Topics.ASSIGNMENTS,
                            Duration.ofMinutes(10), Duration.ofMinutes(5)),
                    registry, store, new GatewayClient(URI.create("http://127.0.0.1:" + gateway.getAddress().getPort()),
                    Optional.of(TOKEN), tmp.resolve("cache")), new ModelLoader(tmp.resolve("loader")),
                    artifact -> registry.add(LoadedModel.load(artifact, session, Duration.ZERO, n -> { })), telemetry,
                    Clock.systemUTC());
            try (registry; store; follower) {
                long started = System.nanoTime();
                follower.start();
                // what the service waits for before taking frames: topics read to their end, latest plan applied
                assertTrue(follower.awaitSynced(Duration.ofSeconds(90)), "synced with the control topics");
                assertEquals(1, follower.status().planRevision(), "the latest plan is applied once synced");
                System.out.printf("figure: plan 1 followed %.0f ms after the follower started (read topics, fetch, "
                        + "verify, load and warm up one version)%n", (System.nanoTime() - started) / 1e6);
                assertTrue(registry.serves(v1), "the plan's stable version is loaded before the plan applies");
                LoadedModel first = registry.acquire("room-1");
                assertEquals(v1, first.ref());
                first.release();
                await(() -> !registry.serves(new ModelRef(fixture.name(), "boot")));

                long published;
                try (KafkaProducer<String, byte[]> producer = producer(kafka)) {
                    published = System.nanoTime();
                    producer.send(new ProducerRecord<>(Topics.ROLLOUTS, "default", new RolloutPlan(2, v1, v2, 100,
                            Map.of(), null, 0, Set.of(), Instant.now().toString(), "olga").toJsonBytes())).get();
                    // an old revision arriving late changes nothing
                    producer.send(new ProducerRecord<>(Topics.ROLLOUTS, "default",
                            RolloutPlan.allOn(v2, 1, Instant.now().toString(), "stale").toJsonBytes())).get();
                }
                await(() -> follower.status().planRevision() == 2);
                System.out.printf("figure: plan 2 followed %.0f ms after it was published (tampered canary fetched "
                        + "and refused, plan applied on stable)%n", (System.nanoTime() - published) / 1e6);
                RolloutFollower.Status status = follower.status();
                assertEquals(1, status.verificationFailures(), status.toString());
                assertTrue(status.failedVersions().get(v2.toString()).contains("SHA-256"), status.toString());
                assertTrue(!registry.serves(v2), "a tampered artifact never takes traffic");
                LoadedModel fresh = registry.acquire("room-new");
                assertEquals(v1, fresh.ref(), "the canary's streams are served by stable meanwhile");
                fresh.release();
                assertTrue(registry.fallbacks() >= 1);
                assertEquals(1, telemetry.snapshot().stream().filter(s -> s.model().equals(v2)).findFirst()
                        .orElseThrow().loadFailures());
                assertEquals(0, unauthorised.get(), "the bearer token was sent");
                assertTrue(Files.notExists(tmp.resolve("cache").resolve(v2.name()).resolve("f2").resolve("model.onnx")),
                        "the tampered file is not kept");

                Map<String, StreamAssignment> onTopic = assignments(kafka);
                assertEquals(v1, onTopic.get("room-1").model());
                assertEquals("inf-1", onTopic.get("room-1").assignedBy());
                assertEquals("canary", onTopic.get("room-new").because(), "room-new was assigned to the canary");
            }
        } finally {
            gateway.stop(0);
        }
    }

    static KafkaProducer<String, byte[]> producer(EmbeddedKafkaCluster kafka) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new ByteArraySerializer());
    }

    static Map<String, StreamAssignment> assignments(EmbeddedKafkaCluster kafka) throws Exception {
        Map<String, StreamAssignment> out = new HashMap<>();
        Instant deadline = Instant.now().plusSeconds(60);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(Topics.ASSIGNMENTS, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (out.size() < 2 && Instant.now().isBefore(deadline)) {
                for (var r : consumer.poll(Duration.ofMillis(200))) {
                    out.put(r.key(), ControlJson.read(r.value(), StreamAssignment.class));
                }
            }
        }
        return out;
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("condition not reached within 90 s");
            }
            Thread.sleep(50);
        }
    }
}
