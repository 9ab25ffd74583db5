package io.endostream.inference.shadow;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The shadow path's numbers (Prometheus names): {@code endostream_shadow_frames_total{model_version}} shadow frames
 * run and compared, {@code endostream_shadow_dropped_total{model_version,reason}} shadow frames not run
 * ({@code queue-full}, {@code share-spent}, {@code primary-behind}: the budget; {@code not-loaded}: the version is not loaded here;
 * {@code no-primary-mask}: the primary frame ended without a mask), {@code endostream_shadow_failures_total
 * {model_version}} candidate failures, {@code endostream_shadow_publish_failures_total} shadow masks the broker did
 * not take, and the gauge {@code endostream_shadow_queued}. Every frame routed with a shadow ends in exactly one of
 * frames, dropped or failures. Tags are model versions, never stream ids: bounded.
 */
public final class ShadowMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Counter publishFailures;

    public ShadowMetrics(MeterRegistry registry, Supplier<Number> queued) {
        this.registry = registry;
        this.publishFailures = Counter.builder("endostream.shadow.publish.failures")
                .description("Shadow masks the broker did not take").register(registry);
        Gauge.builder("endostream.shadow.queued", queued, q -> q.get().doubleValue())
                .description("Shadow frames accepted and not yet finished (bounded by endostream.shadow.max-queued)")
                .register(registry);
    }

    public void ran(String version) {
        counter("endostream.shadow.frames", version, null, "Shadow frames run and compared with the primary mask")
                .increment();
    }

    public void dropped(String version, String reason) {
        counter("endostream.shadow.dropped", version, reason, "Shadow frames not run, by reason").increment();
    }

    public void failed(String version) {
        counter("endostream.shadow.failures", version, null, "Shadow frames on which the candidate failed").increment();
    }

    public void publishFailed() {
        publishFailures.increment();
    }

    private Counter counter(String name, String version, String reason, String description) {
        return counters.computeIfAbsent(name + '|' + version + '|' + reason, k -> {
            Counter.Builder b = Counter.builder(name).tag("model_version", version).description(description);
            if (reason != null) {
                b.tag("reason", reason);
            }
            return b.register(registry);
        });
    }
}
