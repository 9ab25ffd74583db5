package io.endostream.inference.app;

import io.endostream.inference.stream.FramePipeline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while every loaded model's inference thread runs and no stream's frames are stuck (no progress for
 * {@code endostream.inference.stream.stuck-after}): a lane that cannot move holds its stream and, through the
 * in-flight limit, soon every stream, and only a restart frees it.
 */
@Liveness
@ApplicationScoped
public class PipelineLivenessCheck implements HealthCheck {

    @Inject
    InferenceService service;

    @Override
    public HealthCheckResponse call() {
        boolean threads = service.registry() != null
                && service.registry().models().stream().allMatch(m -> m.retiring() || m.batcher().isAlive());
        FramePipeline pipeline = service.pipeline();
        long stuck = pipeline == null ? 0 : pipeline.stuckStreams();
        return HealthCheckResponse.named("inference-threads").status(threads && stuck == 0)
                .withData("framesInFlight", pipeline == null ? 0 : pipeline.inFlight())
                .withData("activeStreams", pipeline == null ? 0 : pipeline.activeStreams())
                .withData("stuckStreams", stuck).build();
    }
}
