package io.endostream.inference.app;

import io.endostream.inference.model.LoadedModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while every loaded model's inference thread runs. */
@Liveness
@ApplicationScoped
public class PipelineLivenessCheck implements HealthCheck {

    @Inject
    InferenceService service;

    @Override
    public HealthCheckResponse call() {
        boolean alive = service.registry() != null
                && service.registry().models().stream().allMatch(m -> m.retiring() || m.batcher().isAlive());
        return HealthCheckResponse.named("inference-threads").status(alive)
                .withData("framesInFlight", service.pipeline() == null ? 0 : service.pipeline().inFlight()).build();
    }
}
