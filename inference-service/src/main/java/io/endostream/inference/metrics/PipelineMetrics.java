package io.endostream.inference.metrics;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.inference.model.ExecutionProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every number the pipeline exposes (Prometheus names in brackets):
 * frames in ({@code endostream_frames_in_total}), masks out by model version ({@code endostream_masks_out_total}),
 * dead letters by reason ({@code endostream_dead_letters_total}), skips by reason ({@code endostream_frames_skipped_total}),
 * batch sizes ({@code endostream_batch_size}), per-stage latency histograms by model version
 * ({@code endostream_stage_seconds{stage=...}}), frames in flight and the active execution provider
 * ({@code endostream_execution_provider{provider="cpu"} 1}).
 */
public final class PipelineMetrics {

    private final MeterRegistry registry;
    private final Counter framesIn;
    private final Map<String, Counter> masksOut = new ConcurrentHashMap<>();
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Map<String, Counter> skips = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> batchSizes = new ConcurrentHashMap<>();
    private final Map<String, Timer> stages = new ConcurrentHashMap<>();
    private final Map<ExecutionProvider, AtomicInteger> providers = new EnumMap<>(ExecutionProvider.class);

    public PipelineMetrics(MeterRegistry registry, AtomicInteger inFlight) {
        this.registry = registry;
        this.framesIn = Counter.builder("endostream.frames.in").description("Frame records received").register(registry);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, Counter.builder("endostream.dead.letters").tag("reason", reason.code())
                    .description("Frames sent to the dead-letter topic, by reason").register(registry));
        }
        for (ExecutionProvider provider : ExecutionProvider.values()) {
            AtomicInteger models = new AtomicInteger();
            providers.put(provider, models);
            Gauge.builder("endostream.execution.provider", models, AtomicInteger::get).tag("provider", provider.id())
                    .description("Model versions running on this ONNX Runtime execution provider").register(registry);
        }
        skipCounter("stale"); // at 0 from the start: "no skips" reads as 0, not as a missing series
        skipCounter("superseded");
        Gauge.builder("endostream.frames.in.flight", inFlight, AtomicInteger::get)
                .description("Frames received and not yet acknowledged").register(registry);
    }

    public void frameIn() {
        framesIn.increment();
    }

    public void maskOut(String modelVersion) {
        masksOut.computeIfAbsent(modelVersion, v -> Counter.builder("endostream.masks.out").tag("model_version", v)
                .description("Masks acknowledged by the broker").register(registry)).increment();
    }

    public void deadLetter(DeadLetterReason reason) {
        deadLetters.get(reason).increment();
    }

    public void skipped(String reason) {
        skipCounter(reason).increment();
    }

    private Counter skipCounter(String reason) {
        return skips.computeIfAbsent(reason, r -> Counter.builder("endostream.frames.skipped").tag("reason", r)
                .description("Frames skipped on purpose (stale: older than max-age; superseded: a newer frame of the "
                        + "stream arrived first, latest-frame-wins)").register(registry));
    }

    public void batch(String modelVersion, int size) {
        batchSizes.computeIfAbsent(modelVersion, v -> DistributionSummary.builder("endostream.batch.size")
                .tag("model_version", v).description("Frames per inference batch").publishPercentileHistogram()
                .minimumExpectedValue(1.0).maximumExpectedValue(64.0).register(registry)).record(size);
    }

    public void stage(Stage stage, String modelVersion, long nanos) {
        stages.computeIfAbsent(stage.tag() + '|' + modelVersion, k -> Timer.builder("endostream.stage")
                        .tag("stage", stage.tag()).tag("model_version", modelVersion)
                        .description("Time a frame spends in each stage").publishPercentileHistogram()
                        .minimumExpectedValue(Duration.ofNanos(50_000)).maximumExpectedValue(Duration.ofSeconds(10))
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void providerUp(ExecutionProvider provider) {
        providers.get(provider).incrementAndGet();
    }

    public void providerDown(ExecutionProvider provider) {
        providers.get(provider).decrementAndGet();
    }

    public MeterRegistry registry() {
        return registry;
    }
}
