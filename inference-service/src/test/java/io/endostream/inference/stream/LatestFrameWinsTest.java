package io.endostream.inference.stream;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.inference.metrics.PipelineMetrics;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.support.TestModels;
import io.endostream.inference.support.TopicReader;
import io.endostream.local.Native;
import io.endostream.local.kafka.EmbeddedKafkaCluster;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Latest-frame-wins under overload, masks published to a real KRaft broker: while the inference thread is held on a
 * stream's first frame, that stream's later frames pile up (the overload); once it moves on, only the newest of them
 * is masked and every older one is skipped as {@code superseded} (replaced while waiting for a codec thread, or
 * withdrawn before inference because a newer one was decoded), counted and acknowledged, in frame order. Another
 * stream, one frame at a time, loses nothing. Lossless mode masks every frame of the same scenario.
 */
class LatestFrameWinsTest {

    static EmbeddedKafkaCluster kafka;
    static final List<byte[]> JPEGS = new ArrayList<>();
    static final int PILED = 6; // frames 1..6 arrive while frame 0 is in inference

    @TempDir
    Path tmp;

    @BeforeAll
    static void broker() {
        TestModels.fixture();
        Native.loadOpenCv();
        kafka = EmbeddedKafkaCluster.start();
        try (EndoscopySimulator sim = new EndoscopySimulator(71, 160, 128)) {
            for (int i = 0; i <= PILED; i++) {
                try (SimulatedFrame f = sim.next()) {
                    JPEGS.add(f.jpeg(85));
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

    /** What one run published and counted. */
    record Result(List<Long> maskSequences, List<Long> calmSequences, double superseded, int acked, int inFrames) {
    }

    @Test
    void underOverloadTheNewestFrameIsMaskedAndTheOlderOnesAreCountedSkips() throws Exception {
        Result r = run(false);
        assertEquals(List.of(0L, (long) PILED), r.maskSequences(),
                "the frame already in inference, then the newest: the piled-up ones in between are skipped");
        assertEquals(PILED - 1, r.superseded(), "every dropped frame is counted as superseded");
        assertEquals(r.inFrames(), r.acked(), "every frame acknowledged: masks and skips alike");
        assertEquals(List.of(0L), r.calmSequences(), "a stream with one frame in flight loses nothing");
    }

    @Test
    void losslessModeMasksEveryFrameOfTheSameOverload() throws Exception {
        Result r = run(true);
        List<Long> all = new ArrayList<>();
        for (long i = 0; i <= PILED; i++) {
            all.add(i);
        }
        assertEquals(all, r.maskSequences(), "every frame masked, in frame order");
        assertEquals(0, r.superseded());
        assertEquals(r.inFrames(), r.acked());
    }

    private Result run(boolean lossless) throws Exception {
        String masksTopic = "masks-" + UUID.randomUUID();
        String lettersTopic = "dlq-" + UUID.randomUUID();
        kafka.createTopics(1, masksTopic, lettersTopic);
        CountDownLatch newestArrived = new CountDownLatch(1);
        CountDownLatch inferenceHeld = new CountDownLatch(1);
        FaultInjector overload = new FaultInjector() {
            @Override
            public void queuedForInference(Frame frame) {
                if (frame.streamId().equals("busy") && frame.sequence() == PILED) {
                    newestArrived.countDown(); // the newest frame is decoded and waits for inference
                }
            }

            @Override
            public void beforeInference(Frame frame) {
                if (frame.streamId().equals("busy") && frame.sequence() == 0) {
                    inferenceHeld.countDown();
                    await(newestArrived); // the inference thread is busy: the stream's later frames queue up
                }
            }
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        AtomicInteger acked = new AtomicInteger();
        AtomicInteger inFrames = new AtomicInteger();
        try (ModelRegistry registry = new ModelRegistry();
             KafkaOutcomePublisher publisher = new KafkaOutcomePublisher(kafka.bootstrapServers(), masksTopic, lettersTopic)) {
            LoadedModel model = LoadedModel.load(new ModelLoader(tmp).fromDirectory(TestModels.fixture()),
                    SessionSettings.cpu(1, 4), Duration.ZERO, n -> {
                    });
            registry.add(model);
            AtomicInteger inFlight = new AtomicInteger();
            FramePipeline pipeline = new FramePipeline(PipelineSettings.defaults().withLossless(lossless)
                    .withCodecThreads(2).withMaxAge(Duration.ofMinutes(5)), registry, publisher,
                    new PipelineMetrics(meters, inFlight), inFlight, Clock.systemUTC(), overload);
            try {
                submit(pipeline, "busy", 0, acked, inFrames);
                assertTrue(inferenceHeld.await(60, TimeUnit.SECONDS), "frame 0 reached inference");
                for (int i = 1; i <= PILED; i++) {
                    submit(pipeline, "busy", i, acked, inFrames);
                }
                submit(pipeline, "calm", 0, acked, inFrames);
                assertTrue(pipeline.awaitIdle(Duration.ofSeconds(90)), "every frame ended");
            } finally {
                pipeline.close();
            }
        }
        Map<String, List<Long>> sequences = new TreeMap<>();
        int expected = lossless ? PILED + 2 : 3;
        try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), masksTopic)) {
            for (ConsumerRecord<byte[], byte[]> m : reader.await(x -> true, expected, Duration.ofSeconds(30))) {
                sequences.computeIfAbsent(TopicReader.key(m), k -> new ArrayList<>())
                        .add(Long.parseLong(TopicReader.header(m, RecordHeaders.SEQUENCE)));
            }
        }
        double superseded = meters.find("endostream.frames.skipped").tag("reason", FramePipeline.SUPERSEDED)
                .counter().count();
        return new Result(sequences.getOrDefault("busy", List.of()), sequences.getOrDefault("calm", List.of()),
                superseded, acked.get(), inFrames.get());
    }

    private static void submit(FramePipeline pipeline, String stream, int sequence, AtomicInteger acked,
                               AtomicInteger inFrames) {
        long now = System.currentTimeMillis();
        inFrames.incrementAndGet();
        pipeline.submit(new IncomingFrame(FrameCodec.encode(new Frame(stream, stream + "/" + sequence, sequence, now,
                ImageFormat.JPEG, 0, 0, JPEGS.get(sequence))), "endoscopy.frames", 0, inFrames.get(), now,
                System.nanoTime(), new IncomingFrame.Acknowledgement() {
                    public void ack() {
                        acked.incrementAndGet();
                    }

                    public void nack(Throwable cause) {
                    }
                }));
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the newest frame never arrived");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
