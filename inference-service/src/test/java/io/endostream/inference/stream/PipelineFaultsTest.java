package io.endostream.inference.stream;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.WireRecord;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected into the framework-free pipeline, outcomes published to a real KRaft broker and read back:
 * every frame ends (mask, dead letter or counted skip), nothing else is disturbed, and per-stream order holds.
 * Frames are handed to the pipeline directly (as the consumer would) so each test controls exactly what arrives.
 */
class PipelineFaultsTest {

    static EmbeddedKafkaCluster kafka;
    static final Map<String, byte[]> JPEGS = new LinkedHashMap<>(); // "<stream>/<i>" -> frame

    @TempDir
    Path tmp;

    @BeforeAll
    static void broker() {
        TestModels.fixture();
        Native.loadOpenCv();
        kafka = EmbeddedKafkaCluster.start();
        for (int s = 0; s < 4; s++) {
            try (EndoscopySimulator sim = new EndoscopySimulator(60 + s, 320, 256)) {
                for (int i = 0; i < 12; i++) {
                    try (SimulatedFrame f = sim.next()) {
                        JPEGS.put("room-" + s + "/" + i, f.jpeg(90));
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

    /** One run: a pipeline on its own topics; what came out and how every frame was acknowledged. */
    final class Run implements AutoCloseable {
        final String masksTopic = "masks-" + UUID.randomUUID();
        final String lettersTopic = "dlq-" + UUID.randomUUID();
        final ModelRegistry registry = new ModelRegistry();
        final KafkaOutcomePublisher kafkaPublisher;
        final FramePipeline pipeline;
        final AtomicInteger acked = new AtomicInteger();
        final AtomicInteger nacked = new AtomicInteger();
        final AtomicInteger offsets = new AtomicInteger();

        Run(PipelineSettings settings, FaultInjector faults, java.util.function.UnaryOperator<OutcomePublisher> wrap) {
            kafka.createTopics(1, masksTopic, lettersTopic);
            registry.add(load());
            kafkaPublisher = new KafkaOutcomePublisher(kafka.bootstrapServers(), masksTopic, lettersTopic);
            AtomicInteger inFlight = new AtomicInteger();
            pipeline = new FramePipeline(settings, registry, wrap.apply(kafkaPublisher),
                    new PipelineMetrics(new SimpleMeterRegistry(), inFlight), inFlight, Clock.systemUTC(), faults);
            // these tests submit bursts faster than real time and expect every frame served: latest-frame-wins would
            // skip the older frames of a burst (LatestFrameWinsTest covers it)
            pipeline.latestFrameWins(false);
        }

        LoadedModel load() {
            // batch 1: a frame's mask must not depend on which frames shared its batch (bit-identical comparison)
            return LoadedModel.load(new ModelLoader(tmp).fromDirectory(TestModels.fixture()), SessionSettings.cpu(1, 1),
                    Duration.ZERO, n -> {
                    });
        }

        void submit(WireRecord record, long timestampMillis) {
            pipeline.submit(new IncomingFrame(record, "endoscopy.frames", 0, offsets.getAndIncrement(), timestampMillis,
                    System.nanoTime(), new IncomingFrame.Acknowledgement() {
                public void ack() {
                    acked.incrementAndGet();
                }

                public void nack(Throwable cause) {
                    nacked.incrementAndGet();
                }
            }));
        }

        void submitAll() throws InterruptedException {
            submitAll(0);
        }

        /** Every test frame, streams interleaved; frame ids "<stream>/<i>", sequence i, captured now. */
        void submitAll(long paceMillis) throws InterruptedException {
            for (int i = 0; i < 12; i++) {
                for (int s = 0; s < 4; s++) {
                    Thread.sleep(paceMillis);
                    String id = "room-" + s + "/" + i;
                    long now = System.currentTimeMillis();
                    submit(FrameCodec.encode(new Frame("room-" + s, id, i, now, ImageFormat.JPEG, 0, 0, JPEGS.get(id))), now);
                }
            }
        }

        void awaitIdle() throws InterruptedException {
            awaitIdle(Duration.ofSeconds(90));
        }

        /** A bound to detect a wedge (a frame that never ends), generous next to the work it covers. */
        void awaitIdle(Duration bound) throws InterruptedException {
            assertTrue(pipeline.awaitIdle(bound), "every frame ended; still in flight: " + pipeline.inFlight());
        }

        List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
            try (TopicReader reader = new TopicReader(kafka.bootstrapServers(), topic)) {
                return reader.await(r -> true, count, Duration.ofSeconds(30));
            }
        }

        @Override
        public void close() {
            pipeline.close();
            kafkaPublisher.close();
            registry.close();
        }
    }

    private static Map<String, byte[]> masksById(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, byte[]> byId = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertNull(byId.put(TopicReader.header(r, RecordHeaders.FRAME_ID), r.value()), "one mask per frame");
        }
        return byId;
    }

    @Test
    void anInferenceFailureDeadLettersOnlyItsFrameAndEveryOtherMaskIsBitIdentical() throws Exception {
        Map<String, byte[]> clean;
        try (Run run = new Run(PipelineSettings.defaults().withLossless(true), FaultInjector.NONE, p -> p)) {
            run.submitAll();
            run.awaitIdle();
            clean = masksById(run.read(run.masksTopic, 48));
        }
        assertEquals(48, clean.size());
        // several failures, so a sample wrongly returned to the pool twice would be handed to two later frames
        Set<String> faulty = Set.of("room-0/2", "room-1/3", "room-2/5", "room-3/7", "room-0/8", "room-1/9", "room-2/10");
        try (Run run = new Run(PipelineSettings.defaults().withLossless(true), new FaultInjector() {
            @Override
            public void beforeInference(Frame frame) {
                if (faulty.contains(frame.frameId())) {
                    try {
                        Thread.sleep(30); // like an ORT run that fails after a while: codec threads keep taking samples
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("injected inference failure for " + frame.frameId());
                }
            }
        }, p -> p)) {
            run.submitAll(5); // paced like a camera: the sample pool stays small, so a returned sample is re-taken soon
            run.awaitIdle();
            assertEquals(48, run.acked.get());
            Map<String, byte[]> masks = masksById(run.read(run.masksTopic, 48 - faulty.size()));
            List<ConsumerRecord<byte[], byte[]>> letters = run.read(run.lettersTopic, faulty.size());
            assertEquals(48 - faulty.size(), masks.size());
            assertEquals(faulty.size(), letters.size());
            for (ConsumerRecord<byte[], byte[]> letter : letters) {
                assertEquals(DeadLetterReason.PROCESSING_FAILED.code(), TopicReader.header(letter, RecordHeaders.DEAD_LETTER_REASON));
                assertTrue(faulty.contains(TopicReader.header(letter, RecordHeaders.FRAME_ID)));
            }
            masks.forEach((id, png) -> assertArrayEquals(clean.get(id), png, "mask of " + id + " differs from the clean run"));
        }
    }

    @Test
    void anErrorInADecodeEndsThatFrameAndTheStreamMovesOn() throws Exception {
        try (Run run = new Run(PipelineSettings.defaults().withLossless(true), new FaultInjector() {
            @Override
            public void beforeDecode(Frame frame) {
                if (frame.frameId().equals("room-1/4")) {
                    throw new OutOfMemoryError("injected: Java heap space");
                }
            }
        }, p -> p)) {
            run.submitAll();
            run.awaitIdle();
            assertEquals(48, run.acked.get());
            assertEquals(0, run.pipeline.stuckStreams());
            List<ConsumerRecord<byte[], byte[]>> letters = run.read(run.lettersTopic, 1);
            assertEquals(1, letters.size());
            assertEquals("room-1/4", TopicReader.header(letters.get(0), RecordHeaders.FRAME_ID));
            assertEquals(DeadLetterReason.PROCESSING_FAILED.code(),
                    TopicReader.header(letters.get(0), RecordHeaders.DEAD_LETTER_REASON));
            assertEquals(47, masksById(run.read(run.masksTopic, 47)).size());
        }
    }

    @Test
    void afterAFailedPublishLaterMasksOfTheStreamWaitAndOrderHolds() throws Exception {
        AtomicInteger failures = new AtomicInteger();
        try (Run run = new Run(PipelineSettings.defaults().withLossless(true), FaultInjector.NONE, real -> new OutcomePublisher() {
            @Override
            public CompletionStage<Void> publishMask(WireRecord mask) {
                String id = new String(mask.headers().get(RecordHeaders.FRAME_ID), StandardCharsets.UTF_8);
                if ((id.equals("room-2/3") || id.equals("room-2/4")) && failures.incrementAndGet() <= 3) {
                    return CompletableFuture.failedFuture(new org.apache.kafka.common.errors.TimeoutException(
                            "injected: expired before it reached the broker"));
                }
                return real.publishMask(mask);
            }

            @Override
            public CompletionStage<Void> publishDeadLetter(WireRecord deadLetter) {
                return real.publishDeadLetter(deadLetter);
            }
        })) {
            run.submitAll();
            run.awaitIdle();
            assertEquals(48, run.acked.get());
            assertEquals(0, run.nacked.get());
            List<ConsumerRecord<byte[], byte[]>> masks = run.read(run.masksTopic, 48);
            assertEquals(48, masks.size(), "every mask published once");
            Map<String, List<Long>> sequences = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : masks) {
                sequences.computeIfAbsent(TopicReader.key(r), k -> new ArrayList<>())
                        .add(Long.parseLong(TopicReader.header(r, RecordHeaders.SEQUENCE)));
            }
            List<Long> inOrder = List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
            sequences.forEach((stream, seqs) -> assertEquals(inOrder, seqs, "masks of " + stream + " in frame order"));
            assertTrue(failures.get() >= 3, "the fault was hit");
        }
    }

    @Test
    void oneHundredThousandOneFrameStreamsLeaveNoPerStreamState() throws Exception {
        // max-age 10 min: the 48 fresh frames queue behind 100,000 skips and must not turn stale themselves
        try (Run run = new Run(PipelineSettings.defaults().withMaxAge(Duration.ofMinutes(10)), FaultInjector.NONE, p -> p)) {
            byte[] jpeg = JPEGS.get("room-0/0");
            long hourAgo = System.currentTimeMillis() - 3_600_000;
            for (int i = 0; i < 100_000; i++) { // stale: skipped without inference, so the test stays fast
                run.submit(FrameCodec.encode(new Frame("short-" + i, "f" + i, 0, hourAgo, ImageFormat.JPEG, 0, 0, jpeg)),
                        hourAgo);
            }
            run.submitAll();
            run.awaitIdle();
            assertEquals(100_048, run.acked.get());
            run.pipeline.close(); // waits for the pipeline's threads: lane bookkeeping follows the acknowledgement
            assertEquals(0, run.pipeline.activeStreams(), "no lane outlives its stream's frames");
            assertEquals(48, run.read(run.masksTopic, 48).size());
        }
    }

    @Test
    void drainFinishesTheFramesInFlightAndHandsBackLaterOnes() throws Exception {
        try (Run run = new Run(PipelineSettings.defaults().withLossless(true), FaultInjector.NONE, p -> p)) {
            run.submitAll();
            run.pipeline.drain(Duration.ofSeconds(90)); // what SIGTERM does while the channels are still open
            long now = System.currentTimeMillis();
            run.submit(FrameCodec.encode(new Frame("late", "late", 0, now, ImageFormat.JPEG, 0, 0, JPEGS.get("room-0/0"))), now);
            assertEquals(48, run.acked.get(), "every frame in flight finished and acknowledged (so committed)");
            assertEquals(0, run.nacked.get());
            assertEquals(1, run.pipeline.handedBack(), "a frame arriving while draining is neither processed nor acked");
            Map<String, byte[]> masks = masksById(run.read(run.masksTopic, 48));
            assertEquals(48, masks.size());
            assertFalse(masks.containsKey("late"));
        }
    }

    @Test
    void swappingTheModelUnderTrafficStallsNothing() throws Exception {
        try (Run run = new Run(PipelineSettings.defaults().withLossless(true), FaultInjector.NONE, p -> p)) {
            LoadedModel first = run.registry.models().get(0);
            run.submitAll();
            run.registry.add(run.load()); // same version again: the old instance retires while its frames are in flight
            run.submitAll();
            // a retiring version whose last frame ended on its own inference thread joined itself there for 30 s,
            // holding that frame (and its stream, and soon the consumer): 20 s is plenty for 96 small frames
            run.awaitIdle(Duration.ofSeconds(20));
            assertEquals(96, run.acked.get());
            assertTrue(first.retiring());
            assertEquals(96, run.read(run.masksTopic, 96).size());
        }
    }

    @Test
    void absurdCaptureTimesAreUnknownAndFallBackToTheRecordTime() throws Exception {
        try (Run run = new Run(PipelineSettings.defaults(), FaultInjector.NONE, p -> p)) {
            byte[] jpeg = JPEGS.get("room-0/0");
            long now = System.currentTimeMillis();
            String[] absurd = {"-5", "0", Long.toString(Long.MAX_VALUE), "99999999999999999999999",
                    Long.toString(now + 86_400_000L)};
            for (int i = 0; i < absurd.length; i++) {
                WireRecord r = FrameCodec.encode(new Frame("clock-" + i, "c" + i, 0, now, ImageFormat.JPEG, 0, 0, jpeg));
                r.headers().put(RecordHeaders.CAPTURE_TIME, absurd[i].getBytes(StandardCharsets.UTF_8));
                run.submit(r, now);
            }
            // no ce_capturetime, and a ce_time far in the future: the codec's fallback gets the same rule
            WireRecord late = FrameCodec.encode(new Frame("clock-time", "ct", 0, now, ImageFormat.JPEG, 0, 0, jpeg));
            late.headers().remove(RecordHeaders.CAPTURE_TIME);
            late.headers().put(RecordHeaders.CE_TIME, "2999-01-01T00:00:00Z".getBytes(StandardCharsets.UTF_8));
            run.submit(late, now);
            run.awaitIdle();
            List<ConsumerRecord<byte[], byte[]>> masks = run.read(run.masksTopic, absurd.length + 1);
            assertEquals(absurd.length + 1, masks.size(), "each frame masked, none skipped as stale or dead-lettered");
            for (ConsumerRecord<byte[], byte[]> m : masks) {
                assertEquals(now, Long.parseLong(TopicReader.header(m, RecordHeaders.CAPTURE_TIME)),
                        "the record timestamp stands in for the absurd capture time");
            }
        }
    }

    @Test
    void aDeadLetterTooLargeToPublishIsSentWithoutItsValueAndSaysSo() throws Exception {
        PipelineSettings settings = PipelineSettings.defaults().withLimits(64 * 1024, 16_777_216L)
                .withMaxDeadLetterBytes(256 * 1024);
        try (Run run = new Run(settings, FaultInjector.NONE, p -> p)) {
            byte[] big = Arrays.copyOf(JPEGS.get("room-0/0"), 300 * 1024); // too large for the frame limit and the DLQ
            byte[] small = Arrays.copyOf(JPEGS.get("room-0/1"), 100 * 1024); // too large for frames, fits the DLQ
            long now = System.currentTimeMillis();
            run.submit(FrameCodec.encode(new Frame("big", "big", 0, now, ImageFormat.JPEG, 0, 0, big)), now);
            run.submit(FrameCodec.encode(new Frame("big", "small", 1, now, ImageFormat.JPEG, 0, 0, small)), now);
            run.awaitIdle();
            List<ConsumerRecord<byte[], byte[]>> letters = run.read(run.lettersTopic, 2);
            assertEquals(2, letters.size());
            assertEquals("big", TopicReader.header(letters.get(0), RecordHeaders.FRAME_ID));
            assertEquals(0, letters.get(0).value().length);
            assertEquals(Integer.toString(big.length),
                    TopicReader.header(letters.get(0), RecordHeaders.DEAD_LETTER_VALUE_DROPPED));
            assertEquals(DeadLetterReason.TOO_LARGE.code(),
                    TopicReader.header(letters.get(0), RecordHeaders.DEAD_LETTER_REASON));
            assertArrayEquals(small, letters.get(1).value(), "a dead letter that fits keeps the original value");
            assertNull(TopicReader.header(letters.get(1), RecordHeaders.DEAD_LETTER_VALUE_DROPPED));
        }
    }
}
