package io.endostream.inference.app;

import io.endostream.contracts.rollout.ModelRef;
import io.endostream.inference.config.ConfigCheck;
import io.endostream.inference.config.InferenceConfig;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.metrics.PipelineMetrics;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelArtifact;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.rollout.TelemetryRecorder;
import io.endostream.inference.shadow.ShadowConfig;
import io.endostream.inference.shadow.ShadowRunner;
import io.endostream.inference.shadow.ShadowSettings;
import io.endostream.inference.stream.FaultInjector;
import io.endostream.inference.stream.FramePipeline;
import io.endostream.inference.stream.OutcomeListener;
import io.endostream.inference.stream.PartitionProgress;
import io.endostream.inference.stream.PathWarmUp;
import io.endostream.inference.stream.PipelineSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.event.Observes;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wires the plain-Java pipeline into Quarkus at start-up, before the Kafka channels start: checks the
 * configuration, loads OpenCV, loads, verifies and warms up the model, and builds the pipeline.
 */
@Startup(Interceptor.Priority.PLATFORM_BEFORE)
@ApplicationScoped
public class InferenceService {

    private static final Logger LOG = Logger.getLogger(InferenceService.class);

    @Inject
    InferenceConfig config;

    @Inject
    MeterRegistry meterRegistry;

    @Inject
    SmallRyeOutcomePublisher publisher;

    @Inject
    ControlPlane controlPlane;

    @Inject
    ShadowConfig shadowConfig;

    @Inject
    SmallRyeShadowPublisher shadowPublisher;

    private final PartitionProgress partitions = new PartitionProgress();
    private ModelRegistry registry;
    private FramePipeline pipeline;
    private ShadowRunner shadows;
    private PipelineMetrics metrics;
    private SessionSettings sessionSettings;

    @PostConstruct
    void start() {
        List<String> problems = new java.util.ArrayList<>(ConfigCheck.problems(config));
        problems.addAll(ShadowConfig.problems(shadowConfig));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
        OpenCv.load();
        AtomicInteger inFlight = new AtomicInteger();
        metrics = new PipelineMetrics(meterRegistry, inFlight);
        int cores = Runtime.getRuntime().availableProcessors();
        InferenceConfig.OnnxRuntime ort = config.onnxRuntime();
        sessionSettings = new SessionSettings(ort.provider(), ort.cudaDeviceId(), ort.intraOpThreads(), ort.allowSpinning(),
                SessionSettings.autoMaxBatchSize(config.batching().maxBatchSize(), config.stream().lossless(),
                        ort.provider()), ort.warmupRuns());
        registry = controlPlane.newRegistry();
        ModelLoader loader = new ModelLoader(config.model().cacheDir(), config.model().allowPlainHttp(),
                config.model().sha256().orElse(null));
        ModelArtifact artifact = config.model().dir().map(loader::fromDirectory)
                .orElseGet(() -> loader.fromUrl(config.model().url().orElseThrow()));
        LoadedModel first = load(artifact);
        InferenceConfig.Stream stream = config.stream();
        PipelineSettings settings = new PipelineSettings(config.limits().maxFrameBytes(), config.limits().maxPixels(),
                stream.maxAge(), stream.lossless(), stream.codecThreads() == 0 ? cores : stream.codecThreads(),
                stream.maxInFlight(), stream.maxInFlightBytes(), config.mask().pngCompression(), config.mask().maxRegions(),
                config.mask().minRegionArea(), stream.maxClockSkew(), config.limits().maxDeadLetterBytes(),
                stream.stuckAfter());
        // before the channels start (this bean runs first): the first real frames must not pay for JIT and set-up
        PathWarmUp.run(first, settings);
        pipeline = new FramePipeline(settings, registry, publisher, metrics, inFlight, Clock.systemUTC());
        pipeline.latestFrameWins(stream.latestFrameWins());
        TelemetryRecorder telemetry = controlPlane.telemetry();
        // the plan's shadow version runs on copies of shadowed streams' frames, agreement goes to the telemetry
        shadows = new ShadowRunner(registry, shadowPublisher, telemetry, meterRegistry, new ShadowSettings(
                shadowConfig.maxQueued(), shadowConfig.maxShare(), shadowConfig.maxPrimaryWait(),
                shadowConfig.failureLogInterval(),
                config.mask().pngCompression(), config.mask().maxRegions(), config.mask().minRegionArea()),
                Clock.systemUTC(), FaultInjector.NONE);
        pipeline.shadowRunner(shadows);
        if (telemetry != null) { // the rollout analysis judges each version by these outcomes
            pipeline.outcomeListener(new OutcomeListener() {
                @Override
                public void masked(ModelRef model, double endToEndMillis) {
                    telemetry.mask(model, endToEndMillis);
                }

                @Override
                public void deadLettered(ModelRef model) {
                    telemetry.deadLetter(model);
                }

                @Override
                public void failed(ModelRef model) {
                    telemetry.error(model);
                }
            });
        }
        LOG.infof("inference pipeline ready: %s", settings);
    }

    /** Loads, verifies and warms a version, then makes it routable (the seam a rollout controller uses). */
    public LoadedModel load(ModelArtifact artifact) {
        String version = artifact.manifest().version();
        LoadedModel model = LoadedModel.load(artifact, sessionSettings, config.batching().maxWait(),
                size -> metrics.batch(version, size));
        metrics.providerUp(model.model().provider());
        registry.add(model);
        return model;
    }

    /**
     * SIGTERM: finish the frames in flight while the Kafka channels are still open, so their masks reach the broker
     * and their offsets are acknowledged; the connector then commits them when it closes. Frames arriving meanwhile
     * are handed back (left uncommitted). The connectors close only when the application context is destroyed,
     * after every ShutdownEvent observer, which is why this cannot wait for {@code @PreDestroy}.
     */
    void drainOnShutdown(@Observes ShutdownEvent event) {
        if (pipeline != null) {
            boolean idle = pipeline.drain(config.stream().drainTimeout());
            LOG.infof("shutdown: in-flight frames %s; %d frames handed back for the next owner",
                    idle ? "all finished" : "NOT all finished (" + pipeline.inFlight() + " left uncommitted)",
                    pipeline.handedBack());
        }
    }

    @PreDestroy
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (shadows != null) { // after the pipeline (no more offers), before the registry (shadows hold versions)
            shadows.close();
        }
        if (registry != null) {
            for (LoadedModel model : registry.models()) {
                metrics.providerDown(model.model().provider());
            }
            registry.close();
        }
    }

    public FramePipeline pipeline() {
        return pipeline;
    }

    public PartitionProgress partitions() {
        return partitions;
    }

    public ModelRegistry registry() {
        return registry;
    }
}
