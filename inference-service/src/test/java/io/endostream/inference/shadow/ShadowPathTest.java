package io.endostream.inference.shadow;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.WireRecord;
import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;
import io.endostream.inference.metrics.PipelineMetrics;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.rollout.TelemetryRecorder;
import io.endostream.inference.stream.FaultInjector;
import io.endostream.inference.stream.FramePipeline;
import io.endostream.inference.stream.IncomingFrame;
import io.endostream.inference.stream.KafkaOutcomePublisher;
import io.endostream.inference.stream.PipelineSettings;
import io.endostream.inference.support.TestModels;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.Native;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shadow path in the framework-free pipeline, outcomes and shadow masks on a real KRaft broker, real ONNX Runtime:
 * shadow masks go only to the shadow topic and their agreement with the primary reaches the telemetry; a failing or
 * saturated shadow costs the primary nothing. Frames are handed to the pipeline directly (as the consumer would).
 */
class ShadowPathTest {

    static EmbeddedKafkaCluster kafka;
    static final Map<String, byte[]> JPEGS = new LinkedHashMap<>(); // "<stream>/<i>" -> frame
    static final int STREAMS = 2;
    static final int PER_STREAM = 5;
    static final int FRAMES = STREAMS * PER_STREAM;

    @TempDir
    Path tmp;

    @BeforeAll
    static void broker() {
        TestModels.fixture();
        Native.loadOpenCv();
        kafka = EmbeddedKafkaCluster.start();
        for (int s = 0; s < STREAMS; s++) {
            try (EndoscopySimulator sim = new EndoscopySimulator(70 + s, 320, 256)) {
                for (int i = 0; i < PER_STREAM; i++) {
                    try (SimulatedFrame f = sim.frame(76 + 5 * i)) {
                        JPEGS.put("shadow-room-" + s + "/" + i, f.jpeg(90));
                    }
                }
            }
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** A pipeline whose plan shadows every stream of stable (the fixture) with {@code candidateDir}. */
    final class Run implements AutoCloseable {
        final String masksTopic = "masks-" + UUID.randomUUID();
        final String lettersTopic = "dlq-" + UUID.randomUUID();
        final String shadowTopic = "shadow-" + UUID.randomUUID();
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        final ModelRegistry registry = new ModelRegistry();
        final TelemetryRecorder telemetry = new TelemetryRecorder();
        final KafkaOutcomePublisher outcomes;
        final KafkaShadowPublisher shadowPublisher;
        final FramePipeline pipeline;
        final ShadowRunner shadows;
        final ModelRef stable;
        final ModelRef candidate;
        final AtomicInteger acked = new AtomicInteger();
        final AtomicInteger offsets = new AtomicInteger();

        Run(Path candidateDir, ShadowSettings shadowSettings, FaultInjector faults) {
            kafka.createTopics(1, masksTopic, lettersTopic, shadowTopic);
            LoadedModel stableModel = load(TestModels.fixture());
            LoadedModel candidateModel = load(candidateDir);
            stable = stableModel.ref();
            candidate = candidateModel.ref();
            registry.add(stableModel);
            registry.add(candidateModel);
            assertTrue(registry.apply(new RolloutPlan(1, stable, null, 0, Map.of(), candidate, 100, Set.of(),
                    Instant.now().toString(), "test")));
            outcomes = new KafkaOutcomePublisher(kafka.bootstrapServers(), masksTopic, lettersTopic);
            shadowPublisher = new KafkaShadowPublisher(kafka.bootstrapServers(), shadowTopic);
            AtomicInteger inFlight = new AtomicInteger();
            pipeline = new FramePipeline(PipelineSettings.defaults().withLossless(true), registry, outcomes,
                    new PipelineMetrics(meters, inFlight), inFlight, Clock.systemUTC(), faults);
            shadows = new ShadowRunner(registry, shadowPublisher, telemetry, meters, shadowSettings, Clock.systemUTC(),
                    faults);
            pipeline.shadowRunner(shadows);
        }

        LoadedModel load(Path dir) {
            // batch 1 on both: a mask must not depend on which frames shared its batch (bit-identical comparison)
            return LoadedModel.load(new ModelLoader(tmp.resolve("cache")).fromDirectory(dir), SessionSettings.cpu(1, 1),
                    Duration.ZERO, n -> {
                    });
        }

        void submitAll() {
            for (int i = 0; i < PER_STREAM; i++) {
                for (int s = 0; s < STREAMS; s++) {
                    String id = "shadow-room-" + s + "/" + i;
                    long now = System.currentTimeMillis();
                    WireRecord record = FrameCodec.encode(new Frame("shadow-room-" + s, id, i, now, ImageFormat.JPEG, 0,
                            0, JPEGS.get(id)));
                    pipeline.submit(new IncomingFrame(record, "endoscopy.frames", 0, offsets.getAndIncrement(), now,
                            System.nanoTime(), new IncomingFrame.Acknowledgement() {
                        public void ack() {
                            acked.incrementAndGet();
                        }

                        public void nack(Throwable cause) {
                        }
                    }));
                }
            }
        }

        /** Every frame ended (acknowledged) and the shadow thread has nothing left: generous bounds, no timing. */
        void awaitQuiet() throws InterruptedException {
            assertTrue(pipeline.awaitIdle(Duration.ofSeconds(90)), "every frame ended");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (shadows.queued() > 0) {
                assertTrue(System.nanoTime() < deadline, "shadow work finished");
                Thread.sleep(20);
            }
        }

        List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic)) {
                return reader.await(r -> true, count, Duration.ofSeconds(30));
            }
        }

        double count(String name, String... tags) {
            Counter c = meters.find(name).tags(tags).counter();
            return c == null ? 0 : c.count();
        }

        InstanceTelemetry.VersionStats stats(ModelRef ref) {
            return telemetry.snapshot().stream().filter(v -> v.model().equals(ref)).findFirst().orElse(null);
        }

        @Override
        public void close() {
            pipeline.close();
            shadows.close();
            outcomes.close();
            shadowPublisher.close();
            registry.close();
        }
    }

    private static ShadowSettings roomy() {
        // nothing dropped, every frame compared: frames handed over at once wait for codec threads, which would
        // (rightly) keep the shadow out of the way under the default max-primary-wait
        return ShadowSettings.defaults().withBudget(FRAMES, 1.0).withMaxPrimaryWait(Duration.ofHours(1));
    }

    @Test
    void theSameModelAsShadowWritesOnlyTheShadowTopicAndAgreesFully() throws Exception {
        try (Run run = new Run(TestModels.copyAs(tmp.resolve("same"), "shadow-same", false), roomy(),
                FaultInjector.NONE)) {
            run.submitAll();
            run.awaitQuiet();
            List<ConsumerRecord<byte[], byte[]>> masks = run.read(run.masksTopic, FRAMES);
            List<ConsumerRecord<byte[], byte[]>> shadowMasks = run.read(run.shadowTopic, FRAMES);
            assertEquals(FRAMES, masks.size());
            assertEquals(FRAMES, shadowMasks.size());
            assertTrue(masks.stream().allMatch(r -> run.stable.version().equals(
                    TopicReader.header(r, RecordHeaders.MODEL_VERSION))), "consumers see stable masks only");
            Map<String, Mask> primaryById = byFrameId(masks);
            for (ConsumerRecord<byte[], byte[]> r : shadowMasks) {
                // the same contract as a mask (the codec checks every header), from the candidate, keyed by stream
                Mask shadow = MaskCodec.decode(r.key(), r.value(), TopicReader.headers(r));
                assertEquals(run.candidate.version(), shadow.modelVersion());
                assertEquals(run.stable.toString(), TopicReader.header(r, RecordHeaders.SHADOW_OF));
                Mask primary = primaryById.get(shadow.frameId());
                assertEquals(primary.streamId(), TopicReader.key(r));
                assertEquals(primary.sequence(), shadow.sequence());
                assertEquals(primary.width(), shadow.width());
                assertArrayEquals(primary.png(), shadow.png(), "same model, same frame: same mask");
            }
            InstanceTelemetry.VersionStats c = run.stats(run.candidate);
            assertEquals(FRAMES, c.shadowFrames());
            assertEquals(FRAMES, c.shadowDiceSum(), 1e-9);
            assertEquals(FRAMES, c.shadowIouSum(), 1e-9);
            assertEquals(0, c.frames(), "the candidate served no stream");
            assertEquals(FRAMES, run.count("endostream.shadow.frames", "model_version", run.candidate.version()));
        }
    }

    @Test
    void agreementIsTheDiceOfEachShadowMaskWithThePrimaryMaskOfTheSameFrame() throws Exception {
        // a second model: the fixture with a stricter threshold segments less, so the masks differ
        ModelManifest m = ModelManifest.read(TestModels.fixture().resolve(ModelManifest.FILE_NAME));
        Path strict = TestModels.copyAs(tmp.resolve("strict"), "strict", false);
        new ModelManifest(m.name(), "strict", m.onnxSha256(), m.onnxFile(), m.input(),
                new ModelManifest.Output(m.output().name(), m.output().activation(), 0.97), m.training(), m.metrics(),
                m.createdAt()).write(strict.resolve(ModelManifest.FILE_NAME));
        try (Run run = new Run(strict, roomy(), FaultInjector.NONE)) {
            run.submitAll();
            run.awaitQuiet();
            Map<String, Mask> primary = byFrameId(run.read(run.masksTopic, FRAMES));
            Map<String, Mask> shadow = byFrameId(run.read(run.shadowTopic, FRAMES));
            assertEquals(primary.keySet(), shadow.keySet());
            double dice = 0;
            double iou = 0;
            for (String id : primary.keySet()) {
                long[] c = counts(pixels(shadow.get(id)), pixels(primary.get(id)));
                boolean empty = c[0] + c[1] + c[2] == 0;
                dice += empty ? 1 : 2.0 * c[0] / (2 * c[0] + c[1] + c[2]);
                iou += empty ? 1 : (double) c[0] / (c[0] + c[1] + c[2]);
            }
            InstanceTelemetry.VersionStats c = run.stats(run.candidate);
            assertEquals(FRAMES, c.shadowFrames());
            assertEquals(dice, c.shadowDiceSum(), 1e-6);
            assertEquals(iou, c.shadowIouSum(), 1e-6);
            assertTrue(dice / FRAMES < 0.999, "the stricter model disagrees somewhere: mean Dice " + dice / FRAMES);
        }
    }

    @Test
    void aFailingShadowIsCountedAndLosesNoPrimaryMask() throws Exception {
        FaultInjector failing = new FaultInjector() {
            @Override
            public void beforeShadowInference(Frame frame) {
                throw new IllegalStateException("candidate broken on purpose");
            }
        };
        try (Run run = new Run(TestModels.copyAs(tmp.resolve("bad"), "shadow-bad", false), roomy(), failing)) {
            run.submitAll();
            run.awaitQuiet();
            List<ConsumerRecord<byte[], byte[]>> masks = run.read(run.masksTopic, FRAMES);
            assertEquals(JPEGS.keySet(), byFrameId(masks).keySet(), "every frame has its primary mask");
            assertEquals(FRAMES, run.acked.get());
            assertEquals(FRAMES, run.count("endostream.shadow.failures", "model_version", run.candidate.version()));
            InstanceTelemetry.VersionStats c = run.stats(run.candidate);
            assertEquals(FRAMES, c.errors(), "the gateway's shadow gate sees the candidate's errors");
            assertEquals(0, c.shadowFrames());
            assertEquals(0, c.frames());
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), run.shadowTopic)) {
                assertEquals(0, reader.await(r -> true, 1, Duration.ofSeconds(2)).size(), "no shadow mask");
            }
        }
    }

    @Test
    void aSaturatedShadowDropsAndCountsWhileThePrimaryGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FaultInjector stuck = new FaultInjector() {
            @Override
            public void beforeShadowInference(Frame frame) {
                try { // a candidate that hangs until the test lets it go (bounded, so a failure cannot hang the build)
                    release.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (Run run = new Run(TestModels.copyAs(tmp.resolve("slow"), "shadow-slow", false),
                ShadowSettings.defaults().withBudget(1, 1.0).withMaxPrimaryWait(Duration.ofHours(1)), stuck)) {
            run.submitAll();
            // every primary mask is out while the one accepted shadow frame is stuck: nothing waits for the shadow
            List<ConsumerRecord<byte[], byte[]>> masks = run.read(run.masksTopic, FRAMES);
            assertEquals(JPEGS.keySet(), byFrameId(masks).keySet(), "every frame has its primary mask");
            assertTrue(run.pipeline.awaitIdle(Duration.ofSeconds(90)), "every frame acknowledged");
            assertEquals(1, run.shadows.queued(), "one shadow frame holds the only place");
            release.countDown();
            run.awaitQuiet();
            String v = run.candidate.version();
            assertEquals(1, run.count("endostream.shadow.frames", "model_version", v));
            assertEquals(FRAMES - 1, run.count("endostream.shadow.dropped", "model_version", v, "reason", "queue-full"));
            InstanceTelemetry.VersionStats c = run.stats(run.candidate);
            assertEquals(1, c.shadowFrames());
            assertEquals(FRAMES - 1, c.shadowDropped());
            assertEquals(1, run.read(run.shadowTopic, 1).size());
        }
    }

    private static Map<String, Mask> byFrameId(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, Mask> byId = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            Mask m = MaskCodec.decode(r.key(), r.value(), TopicReader.headers(r));
            assertEquals(null, byId.put(m.frameId(), m), "one mask per frame");
        }
        return byId;
    }

    private static byte[] pixels(Mask mask) {
        Mat png = new MatOfByte(mask.png());
        Mat decoded = Imgcodecs.imdecode(png, Imgcodecs.IMREAD_GRAYSCALE);
        try {
            byte[] out = new byte[(int) decoded.total()];
            decoded.get(0, 0, out);
            return out;
        } finally {
            png.release();
            decoded.release();
        }
    }

    /** {both, only a, only b} polyp pixels. */
    private static long[] counts(byte[] a, byte[] b) {
        long[] c = new long[3];
        for (int i = 0; i < a.length; i++) {
            boolean x = a[i] != 0;
            boolean y = b[i] != 0;
            if (x && y) {
                c[0]++;
            } else if (x) {
                c[1]++;
            } else if (y) {
                c[2]++;
            }
        }
        return c;
    }
}
