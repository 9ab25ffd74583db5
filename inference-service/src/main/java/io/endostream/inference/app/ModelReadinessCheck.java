package io.endostream.inference.app;

import io.endostream.inference.model.LoadedModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the plan's stable model is loaded and warmed up. Kafka reachability is reported beside it by
 * Quarkus' Kafka health check and SmallRye's channel checks ({@code /q/health/ready} needs all of them up).
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    @Inject
    InferenceService service;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("model");
        boolean ready = service.registry() != null && service.registry().ready();
        if (ready) {
            for (LoadedModel model : service.registry().models()) {
                response.withData(model.ref().toString(), model.model().provider().id());
            }
        }
        return response.status(ready).build();
    }
}
