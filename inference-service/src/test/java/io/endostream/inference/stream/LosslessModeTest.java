package io.endostream.inference.stream;

import io.endostream.contracts.WireRecord;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.metrics.PipelineMetrics;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.support.TestModels;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lossless mode masks frames however old they are; real-time mode skips the same frames and acks them. */
class LosslessModeTest {

    @TempDir
    Path tmp;

    @Test
    void losslessProcessesOldFramesThatRealTimeModeSkips() throws Exception {
        assertEquals(List.of(4, 0, 0), run(true));
        assertEquals(List.of(0, 0, 4), run(false));
    }

    /** Returns [masks, dead letters, acked-without-record]. */
    private List<Integer> run(boolean lossless) throws Exception {
        OpenCv.load();
        List<WireRecord> masks = new CopyOnWriteArrayList<>();
        List<WireRecord> letters = new CopyOnWriteArrayList<>();
        OutcomePublisher collector = new OutcomePublisher() { // our own seam; the Kafka path is tested on a broker
            public CompletionStage<Void> publishMask(WireRecord mask) {
                masks.add(mask);
                return CompletableFuture.completedFuture(null);
            }

            public CompletionStage<Void> publishDeadLetter(WireRecord deadLetter) {
                letters.add(deadLetter);
                return CompletableFuture.completedFuture(null);
            }
        };
        AtomicInteger inFlight = new AtomicInteger();
        PipelineMetrics metrics = new PipelineMetrics(new SimpleMeterRegistry(), inFlight);
        AtomicInteger acked = new AtomicInteger();
        try (ModelRegistry registry = new ModelRegistry()) {
            registry.add(LoadedModel.load(new ModelLoader(tmp).fromDirectory(TestModels.fixture()),
                    SessionSettings.cpu(1, 2), Duration.ZERO, n -> {
                    }));
            FramePipeline pipeline = new FramePipeline(PipelineSettings.defaults().withLossless(lossless)
                    .withMaxAge(Duration.ofSeconds(1)), registry, collector, metrics, inFlight, Clock.systemUTC());
            long hourAgo = System.currentTimeMillis() - 3_600_000;
            try (EndoscopySimulator sim = new EndoscopySimulator(5, 160, 128)) {
                for (int i = 0; i < 4; i++) {
                    try (SimulatedFrame f = sim.next()) {
                        WireRecord r = FrameCodec.encode(new Frame("archive", "old-" + i, i, hourAgo, ImageFormat.JPEG,
                                0, 0, f.jpeg(80)));
                        pipeline.submit(new IncomingFrame(r, "endoscopy.frames", 0, i, hourAgo, System.nanoTime(),
                                new IncomingFrame.Acknowledgement() {
                                    public void ack() {
                                        acked.incrementAndGet();
                                    }

                                    public void nack(Throwable cause) {
                                    }
                                }));
                    }
                }
            }
            assertTrue(pipeline.awaitIdle(Duration.ofSeconds(30)));
            pipeline.close();
        }
        assertEquals(4, acked.get(), "every frame acknowledged");
        for (int i = 0; i < masks.size(); i++) {
            assertEquals("old-" + i, MaskCodec.decode(masks.get(i).key(), masks.get(i).value(), masks.get(i).headers()).frameId());
        }
        return List.of(masks.size(), letters.size(), acked.get() - masks.size() - letters.size());
    }
}
