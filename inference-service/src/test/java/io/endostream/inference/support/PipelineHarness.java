package io.endostream.inference.support;

import io.endostream.contracts.Topics;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.metrics.PipelineMetrics;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.stream.FramePipeline;
import io.endostream.inference.stream.KafkaFrameConsumer;
import io.endostream.inference.stream.KafkaOutcomePublisher;
import io.endostream.inference.stream.PipelineSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The framework-free pipeline on a real broker: what the Quarkus service wires, without Quarkus. */
public final class PipelineHarness implements AutoCloseable {

    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final PipelineMetrics metrics;
    public final ModelRegistry registry = new ModelRegistry();
    public final KafkaOutcomePublisher publisher;
    public final FramePipeline pipeline;
    private final String bootstrap;

    public PipelineHarness(String bootstrap, Path modelDir, PipelineSettings settings, SessionSettings session,
                           Duration maxBatchWait) {
        OpenCv.load();
        this.bootstrap = bootstrap;
        AtomicInteger inFlight = new AtomicInteger();
        metrics = new PipelineMetrics(meters, inFlight);
        LoadedModel model = LoadedModel.load(new ModelLoader(Path.of("target/model-cache")).fromDirectory(modelDir),
                session, maxBatchWait, n -> metrics.batch("bench", n));
        metrics.providerUp(model.model().provider());
        registry.add(model);
        publisher = new KafkaOutcomePublisher(bootstrap, Topics.MASKS, Topics.FRAMES_DLQ);
        pipeline = new FramePipeline(settings, registry, publisher, metrics, inFlight, Clock.systemUTC());
    }

    public KafkaFrameConsumer consume(String groupId) {
        return new KafkaFrameConsumer(bootstrap, groupId, Topics.FRAMES, pipeline);
    }

    @Override
    public void close() {
        pipeline.close();
        publisher.close();
        registry.close();
    }
}
