package io.endostream.gateway.it;

import io.endostream.contracts.Topics;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.contracts.rollout.StickyRouter;
import io.endostream.contracts.rollout.StreamRouter;
import io.endostream.gateway.TestModels;
import io.endostream.gateway.app.JwtTestKeys;
import io.endostream.local.audit.FrameAudit;
import io.endostream.local.kafka.KafkaBrokerTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue #8's "Done when", end to end: the gateway (here, in the test JVM) on one real KRaft broker, and two packaged
 * inference-service instances as separate processes in one consumer group, following the control plane, fed by
 * simulated streams (160x128 JPEG). Users' view only: the model version in each mask's headers, the gateway's REST
 * API (plans, assignments, audit), and the frame accounting of {@link FrameAudit} on the topics.
 *
 * <p>Methods run in order and build on each other (one broker, one gateway start, a few instance starts). Every
 * process is stopped in {@link #stopEverything()}, and killed by a shutdown hook if this JVM dies first.
 * Needs {@code inference-service/target/quarkus-app}: gateway's pom makes the reactor package inference-service first.
 */
@QuarkusTest
@WithTestResource(KafkaBrokerTestResource.class)
@WithTestResource(JwtTestKeys.class)
@WithTestResource(RolloutItSettings.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutAcrossInstancesTest {

    static final String STABLE = "it-1";
    static final String CANDIDATE = "it-2";
    static final String NEXT = "it-3";
    static final String SHADOWED = "it-4";
    /** The fixture graph with a manifest that applies a sigmoid to its probabilities and thresholds at 0.99: every
     * pixel stays below logit(0.99) = 4.6, so this version segments nothing (a plausible packaging mistake). */
    static final String SEGMENTS_NOTHING = "it-nothing";
    static final Duration FOLLOW = Duration.ofSeconds(90);
    static final Duration ANSWERED = Duration.ofSeconds(120);

    static final List<InferenceInstance> instances = new ArrayList<>();
    static InferenceInstance a;
    static InferenceInstance b;
    static StreamTraffic traffic;
    static Path workDir;
    /** Streams of scenario a and their expected version (computed with StickyRouter on the plan they started under). */
    static final Map<String, String> expected = new LinkedHashMap<>();

    static RequestSpecification operator() {
        return given().auth().oauth2(JwtTestKeys.token("olga", "operator"));
    }

    static RequestSpecification viewer() {
        return given().auth().oauth2(JwtTestKeys.token("victor", "viewer"));
    }

    // ---- scenarios -------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void twoInstancesInOneGroupFollowTheGatewaysStablePlan() throws Exception {
        InferenceInstance.requirePackagedApp();
        workDir = Files.createDirectories(Path.of("target/it-logs/rollout-" + System.currentTimeMillis()));
        register(STABLE, TestModels.manifestJson(STABLE));
        register(CANDIDATE, TestModels.manifestJson(CANDIDATE));
        register(NEXT, TestModels.manifestJson(NEXT));
        register(SHADOWED, TestModels.manifestJson(SHADOWED));
        register(SEGMENTS_NOTHING, TestModels.manifestJson(SEGMENTS_NOTHING)
                .replace("\"activation\" : \"none\"", "\"activation\" : \"sigmoid\"")
                .replace("\"threshold\" : 0.5", "\"threshold\" : 0.99"));
        operator().contentType(ContentType.JSON).body("{\"model\":\"polyp-unet:" + STABLE + "\",\"reason\":\"first\"}")
                .when().put("/api/deployments/default/stable").then().statusCode(200);
        traffic = new StreamTraffic(KafkaBrokerTestResource.bootstrapServers());
        a = startInstance("inf-a-1");
        b = startInstance("inf-b-1");
        awaitFollowing(List.of(a, b), currentPlan().revision());
    }

    @Test
    @Order(2)
    void a25PercentCanarySendsExactlyTheExpectedNewStreamsToTheCandidate() {
        // minFrames 40: this scenario's few candidate frames cannot advance the step; p99 ratio off (timing is not
        // judged on a shared machine); agreement gates are not reached without a shadow
        RolloutPlan plan = RolloutPlan.fromJson(operator().contentType(ContentType.JSON).body("""
                {"candidate": "polyp-unet:%s", "steps": [25, 50, 100],
                 "gates": {"minFrames": 40, "maxErrorRate": 0.01, "maxP99Ms": 0, "maxP99Ratio": 0,
                           "minShadowFrames": 1000, "minShadowDice": 0, "minShadowIou": 0},
                 "reason": "25%% canary under test"}""".formatted(CANDIDATE))
                .when().post("/api/deployments/default/rollout").then().statusCode(200)
                .extract().asByteArray());
        assertEquals(25.0, plan.canaryPercent());
        awaitFollowing(List.of(a, b), plan.revision());

        // streams chosen so that each version has a stream on every partition: both instances serve both versions
        Instant now = Instant.now();
        Map<String, Integer> needed = new LinkedHashMap<>();
        for (int i = 0; expected.size() < 8 && i < 100_000; i++) {
            String stream = "room-" + i;
            String version = StickyRouter.route(plan, null, stream, "expectation", now).primary().version();
            String slot = version + "@" + partition(stream);
            if (needed.merge(slot, 1, Integer::sum) == 1) {
                expected.put(stream, version);
            }
        }
        assertEquals(8, expected.size(), "streams covering both versions on every partition");
        List<String> frames = traffic.send(expected.keySet(), 3);
        awaitAnswered(frames);

        assertEquals(Set.of(), traffic.deadLettered(), "dead letters");
        Map<String, Set<String>> seen = traffic.versionsByStream(frames);
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(Set.of(e.getValue()), seen.get(e.getKey()), "versions serving stream " + e.getKey());
        }
        // the assignments are shared state: the gateway sees each stream on its version, made by both instances
        JsonPath assignments = viewer().when().get("/api/deployments/default/assignments").then().statusCode(200)
                .extract().jsonPath();
        Set<String> assignedBy = new java.util.HashSet<>();
        for (String stream : expected.keySet()) {
            assertEquals(expected.get(stream), assignments.getString(
                    "streams.find { it.streamId == '" + stream + "' }.model.version"), "assignment of " + stream);
            assignedBy.add(assignments.getString("streams.find { it.streamId == '" + stream + "' }.assignedBy"));
        }
        assertEquals(Set.of("inf-a-1", "inf-b-1"), assignedBy, "instances that assigned the streams");
    }

    @Test
    @Order(3)
    void aStreamKeepsItsVersionAcrossAStepTheOtherInstanceStoppingAndARestartOfBoth() throws Exception {
        // a plan step: enough candidate frames pass the gates and the canary goes to 50 % of new streams
        List<String> onCandidate = expected.entrySet().stream().filter(e -> e.getValue().equals(CANDIDATE))
                .map(Map.Entry::getKey).toList();
        awaitAnswered(traffic.send(onCandidate, 12));
        await("the analysis to advance the canary to 50 %", FOLLOW, () -> currentPlan().canaryPercent() == 50.0);
        // frozen from here on (no further step while streams are checked)
        operator().contentType(ContentType.JSON).body("{\"reason\":\"hold the step under test\"}")
                .when().post("/api/deployments/default/pause").then().statusCode(200);
        RolloutPlan step = currentPlan();
        awaitFollowing(List.of(a, b), step.revision());
        Map<String, String> newStreams = new LinkedHashMap<>();
        for (int i = 0; newStreams.size() < 2 && i < 100_000; i++) {
            String stream = "late-" + i;
            int bucket = StreamRouter.bucket(stream);
            // one stream that only the larger share sends to the candidate, one that stays on stable
            if (bucket >= StreamRouter.threshold(25) && bucket < StreamRouter.threshold(50)
                    && !newStreams.containsValue(CANDIDATE)) {
                newStreams.put(stream, CANDIDATE);
            } else if (bucket >= StreamRouter.threshold(50) && !newStreams.containsValue(STABLE)) {
                newStreams.put(stream, STABLE);
            }
        }
        List<String> afterStep = new ArrayList<>(traffic.send(expected.keySet(), 2));
        afterStep.addAll(traffic.send(newStreams.keySet(), 2));
        awaitAnswered(afterStep);
        assertVersions("after the step to 50 %", expected, afterStep);
        assertVersions("new streams after the step to 50 %", newStreams, afterStep);

        // the other instance stops: its partitions, and their streams, move to the remaining one
        b.stop();
        List<String> afterFailover = traffic.send(expected.keySet(), 2);
        awaitAnswered(afterFailover);
        assertVersions("after inf-b stopped", expected, afterFailover);

        // every instance down: frames wait on the topic; both restart and take that backlog first, so the
        // assignments must come back from the topic before any frame is routed
        a.stop();
        List<String> backlog = traffic.send(expected.keySet(), 2);
        a = startInstance("inf-a-2");
        b = startInstance("inf-b-2");
        awaitAnswered(backlog);
        assertVersions("in the backlog served right after a restart of both instances", expected, backlog);
        awaitFollowing(List.of(a, b), step.revision());
        List<String> afterRestart = traffic.send(expected.keySet(), 2);
        awaitAnswered(afterRestart);
        assertVersions("after a restart of both instances", expected, afterRestart);
        assertEquals(Set.of(), traffic.deadLettered(), "dead letters");
    }

    @Test
    @Order(4)
    void everyFrameSentDuringAPromotionHasAMaskOrADeadLetterAndNoStreamSwitches() throws Exception {
        List<String> streams = List.of("promo-1", "promo-2", "promo-3", "promo-4");
        long since = System.currentTimeMillis();
        Collection<String> sent = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread sender = traffic.continuous(streams, 5, stop, sent);
        try {
            await("masks of the continuous streams", ANSWERED, () -> traffic.versionsByStream(List.copyOf(sent))
                    .keySet().containsAll(streams));
            RolloutPlan promoted = RolloutPlan.fromJson(operator().contentType(ContentType.JSON)
                    .body("{\"reason\":\"promotion under traffic\"}").when().post("/api/deployments/default/promote")
                    .then().statusCode(200).extract().asByteArray());
            assertEquals(new ModelRef("polyp-unet", CANDIDATE), promoted.stable());
            awaitFollowing(List.of(a, b), promoted.revision());
            int before = sent.size();
            await("traffic after the promotion", ANSWERED, () -> sent.size() >= before + 4 * streams.size());
        } finally {
            stop.set(true);
            sender.join();
        }
        long until = System.currentTimeMillis() + 1;
        awaitAnswered(sent);
        FrameAudit.Report report = new FrameAudit(KafkaBrokerTestResource.bootstrapServers())
                .audit(since, until, Duration.ofSeconds(30));
        assertEquals(sent.size(), report.frames(), "frames in the audit window");
        assertTrue(report.everyFrameAccounted(), "unaccounted frames during the promotion: " + report.examples());
        assertEquals(0, report.outOfOrder(), "masks out of order: " + report.examples());
        // a promotion moves no live stream: each kept the version it started on
        traffic.versionsByStream(sent).forEach((stream, versions) ->
                assertEquals(1, versions.size(), "versions of " + stream + " across the promotion: " + versions));
    }

    @Test
    @Order(5)
    void everyFrameSentDuringARollbackHasAMaskOrADeadLetterAndCandidateStreamsReturnToStable() throws Exception {
        RolloutPlan canary = RolloutPlan.fromJson(operator().contentType(ContentType.JSON).body("""
                {"candidate": "polyp-unet:%s", "steps": [50, 100],
                 "gates": {"minFrames": 100000, "maxErrorRate": 0.01, "maxP99Ms": 0, "maxP99Ratio": 0,
                           "minShadowFrames": 1000, "minShadowDice": 0, "minShadowIou": 0}}""".formatted(NEXT))
                .when().post("/api/deployments/default/rollout").then().statusCode(200).extract().asByteArray());
        awaitFollowing(List.of(a, b), canary.revision());
        List<String> streams = new ArrayList<>();
        for (int i = 0; streams.size() < 4; i++) { // two on the candidate, two on stable
            String stream = "rb-" + i;
            boolean onCandidate = StreamRouter.bucket(stream) < StreamRouter.threshold(50);
            if (streams.stream().filter(s -> (StreamRouter.bucket(s) < StreamRouter.threshold(50)) == onCandidate)
                    .count() < 2) {
                streams.add(stream);
            }
        }
        long since = System.currentTimeMillis();
        Collection<String> sent = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread sender = traffic.continuous(streams, 5, stop, sent);
        List<String> afterRollback;
        try {
            await("candidate masks of the continuous streams", ANSWERED,
                    () -> traffic.versionsByStream(List.copyOf(sent)).values().stream().filter(v -> v.contains(NEXT))
                            .count() == 2);
            RolloutPlan rolledBack = RolloutPlan.fromJson(operator().contentType(ContentType.JSON)
                    .body("{\"reason\":\"rollback under traffic\"}").when().post("/api/deployments/default/abort")
                    .then().statusCode(200).extract().asByteArray());
            assertTrue(rolledBack.rolledBack().contains(new ModelRef("polyp-unet", NEXT)));
            awaitFollowing(List.of(a, b), rolledBack.revision());
            int followedAt = sent.size();
            await("traffic after the rollback", ANSWERED, () -> sent.size() >= followedAt + 4 * streams.size());
            afterRollback = List.copyOf(sent).subList(followedAt, sent.size());
        } finally {
            stop.set(true);
            sender.join();
        }
        long until = System.currentTimeMillis() + 1;
        awaitAnswered(sent);
        FrameAudit.Report report = new FrameAudit(KafkaBrokerTestResource.bootstrapServers())
                .audit(since, until, Duration.ofSeconds(30));
        assertEquals(sent.size(), report.frames(), "frames in the audit window");
        assertTrue(report.everyFrameAccounted(), "unaccounted frames during the rollback: " + report.examples());
        assertEquals(0, report.outOfOrder(), "masks out of order: " + report.examples());
        // once every instance follows the rollback, no frame is served by the rolled-back version
        traffic.versionsByStream(afterRollback).forEach((stream, versions) ->
                assertEquals(Set.of(CANDIDATE), versions, "versions of " + stream + " after the rollback"));
        JsonPath audit = viewer().queryParam("deployment", "default").queryParam("limit", 1).when().get("/api/audit")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("abort", audit.getString("[0].action"));
        assertEquals("olga", audit.getString("[0].actor"));
        assertEquals("rollback under traffic", audit.getString("[0].reason"));
    }

    @Test
    @Order(6)
    void shadowMasksAppearOnlyOnTheShadowTopicAndTheAnalysisShowsTheirAgreement() {
        // shadow first on every stream; minShadowFrames out of reach, so the step stays in shadow while it is checked
        RolloutPlan plan = RolloutPlan.fromJson(operator().contentType(ContentType.JSON).body("""
                {"candidate": "polyp-unet:%s", "steps": [25, 100], "shadowPercent": 100, "shadowFirst": true,
                 "gates": {"minFrames": 40, "maxErrorRate": 0.01, "maxP99Ms": 0, "maxP99Ratio": 0,
                           "minShadowFrames": 1000000, "minShadowDice": 0.7, "minShadowIou": 0}}""".formatted(SHADOWED))
                .when().post("/api/deployments/default/rollout").then().statusCode(200).extract().asByteArray());
        assertEquals(new ModelRef("polyp-unet", SHADOWED), plan.shadow());
        assertEquals(null, plan.canary(), "no live stream goes to a shadow candidate");
        awaitFollowing(List.of(a, b), plan.revision());
        List<String> streams = List.of("shadowed-1", "shadowed-2", "shadowed-3", "shadowed-4");
        List<String> frames = new ArrayList<>();
        // a few frames at a time: the shadow's budget (4 queued) drops what arrives in a burst, by design
        await("shadow masks of every stream", ANSWERED, () -> {
            frames.addAll(traffic.send(streams, 1));
            return traffic.shadowMasks(frames).stream().map(StreamTraffic.MaskSeen::stream).distinct().count()
                    == streams.size();
        });
        awaitAnswered(frames);
        for (StreamTraffic.MaskSeen shadowMask : traffic.shadowMasks(frames)) {
            assertEquals(SHADOWED, shadowMask.version(), "version of a shadow mask");
        }
        // consumers of endoscopy.masks see stable only: the candidate's masks never reach them
        assertVersions("while shadowed", Map.of("shadowed-1", CANDIDATE, "shadowed-2", CANDIDATE,
                "shadowed-3", CANDIDATE, "shadowed-4", CANDIDATE), frames);
        // the gateway's analysis has the agreement figures (the same graph and recipe: the masks agree)
        await("agreement figures in the gateway's analysis", ANSWERED, () -> viewer().when()
                .get("/api/deployments/default/analysis").then().statusCode(200).extract().jsonPath()
                .getLong("figures.shadowFrames") > 0);
        JsonPath analysis = viewer().when().get("/api/deployments/default/analysis").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("shadow", analysis.getString("phase"));
        assertTrue(analysis.getDouble("figures.shadowDice") > 0.95, "shadow Dice " + analysis.get("figures"));
        assertTrue(analysis.getDouble("figures.shadowIou") > 0.9, "shadow IoU " + analysis.get("figures"));
        operator().contentType(ContentType.JSON).body("{\"reason\":\"shadow checked\"}")
                .when().post("/api/deployments/default/abort").then().statusCode(200);
    }

    @Test
    @Order(7)
    void aCandidateThatSegmentsNothingFailsItsShadowGateAndIsRolledBackAutomaticallyLosingNoFrame() throws Exception {
        List<String> streams = List.of("bad-1", "bad-2", "bad-3", "bad-4");
        long since = System.currentTimeMillis();
        Collection<String> sent = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread sender = traffic.continuous(streams, 4, stop, sent);
        RolloutPlan rolledBack;
        try {
            RolloutPlan started = RolloutPlan.fromJson(operator().contentType(ContentType.JSON).body("""
                    {"candidate": "polyp-unet:%s", "steps": [25, 100], "shadowPercent": 100, "shadowFirst": true,
                     "gates": {"minFrames": 40, "maxErrorRate": 0.01, "maxP99Ms": 0, "maxP99Ratio": 0,
                               "minShadowFrames": 20, "minShadowDice": 0.7, "minShadowIou": 0},
                     "reason": "a candidate that segments nothing"}""".formatted(SEGMENTS_NOTHING))
                    .when().post("/api/deployments/default/rollout").then().statusCode(200).extract().asByteArray());
            awaitFollowing(List.of(a, b), started.revision());
            await("the analysis to roll the candidate back", Duration.ofMinutes(4),
                    () -> "rolled-back".equals(viewer().when().get("/api/deployments/default").then().statusCode(200)
                            .extract().jsonPath().getString("status.phase")));
            rolledBack = currentPlan();
            awaitFollowing(List.of(a, b), rolledBack.revision());
            int followedAt = sent.size();
            await("traffic after the rollback", ANSWERED, () -> sent.size() >= followedAt + 2 * streams.size());
        } finally {
            stop.set(true);
            sender.join();
        }
        long until = System.currentTimeMillis() + 1;
        assertTrue(rolledBack.rolledBack().contains(new ModelRef("polyp-unet", SEGMENTS_NOTHING)));
        assertEquals(new ModelRef("polyp-unet", CANDIDATE), rolledBack.stable());
        JsonPath audit = viewer().queryParam("deployment", "default").queryParam("limit", 1).when().get("/api/audit")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("rollback", audit.getString("[0].action"));
        assertEquals("gateway/analysis", audit.getString("[0].actor"));
        assertTrue(audit.getString("[0].reason").startsWith("gate shadowDice failed: "), audit.getString("[0].reason"));
        assertTrue(audit.getDouble("[0].figures.shadowDice") < 0.7, "figures " + audit.get("[0].figures"));

        awaitAnswered(sent);
        FrameAudit.Report report = new FrameAudit(KafkaBrokerTestResource.bootstrapServers())
                .audit(since, until, Duration.ofSeconds(30));
        assertEquals(sent.size(), report.frames(), "frames in the audit window");
        assertTrue(report.everyFrameAccounted(), "unaccounted frames during the rollback: " + report.examples());
        // the bad candidate only ever ran in the shadow: every primary mask is stable's
        traffic.versionsByStream(sent).forEach((stream, versions) ->
                assertEquals(Set.of(CANDIDATE), versions, "versions serving " + stream));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    static void register(String version, String manifestJson) throws Exception {
        Path manifest = Files.createTempFile("manifest", ".json");
        Files.writeString(manifest, manifestJson);
        operator().multiPart("manifest", manifest.toFile(), "application/json")
                .multiPart("model", TestModels.ONNX.toFile(), "application/octet-stream")
                .when().post("/api/models").then().statusCode(201);
    }

    static RolloutPlan currentPlan() {
        return RolloutPlan.fromJson(viewer().when().get("/api/deployments/default").then().statusCode(200)
                .extract().asByteArray());
    }

    static InferenceInstance startInstance(String id) throws Exception {
        InferenceInstance instance = InferenceInstance.start(id, new InferenceInstance.Settings(
                KafkaBrokerTestResource.bootstrapServers(), "http://localhost:" + RestAssured.port,
                JwtTestKeys.token(id, "viewer"), TestModels.DIR, workDir, Map.of()));
        instances.add(instance);
        return instance;
    }

    /** Waits until every instance is ready and routes by plan {@code revision} (or a newer one). */
    static void awaitFollowing(List<InferenceInstance> which, long revision) {
        for (InferenceInstance instance : which) {
            await(instance.id() + " to be ready and follow plan " + revision, FOLLOW, () -> {
                if (!instance.alive()) {
                    fail(instance.id() + " exited\n" + instance.tail(60));
                }
                return instance.planRevision() >= revision && instance.ready();
            }, () -> instance.tail(40));
        }
    }

    static void awaitAnswered(Collection<String> frameIds) {
        await(frameIds.size() + " frames to have a mask or a dead letter", ANSWERED,
                () -> traffic.allAnswered(frameIds), () -> "unanswered: " + traffic.unanswered(frameIds));
    }

    static void assertVersions(String when, Map<String, String> expectedVersions, Collection<String> frameIds) {
        Map<String, Set<String>> seen = traffic.versionsByStream(frameIds);
        expectedVersions.forEach((stream, version) ->
                assertEquals(Set.of(version), seen.get(stream), "versions serving " + stream + " " + when));
    }

    static int partition(String stream) {
        return Utils.toPositive(Utils.murmur2(stream.getBytes(StandardCharsets.UTF_8)))
                % KafkaBrokerTestResource.PARTITIONS;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        await(what, timeout, condition, () -> "");
    }

    /** Polls {@code condition} every 200 ms up to {@code timeout} (generous: the suite may run on one core). */
    static void await(String what, Duration timeout, BooleanSupplier condition, Supplier<String> diagnosis) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "\n" + diagnosis.get());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    @AfterAll
    static void stopEverything() {
        for (InferenceInstance instance : instances) {
            instance.stop();
        }
        if (traffic != null) {
            traffic.close();
        }
    }
}
