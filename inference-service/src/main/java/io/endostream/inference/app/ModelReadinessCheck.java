package io.endostream.inference.app;

import io.endostream.inference.model.LoadedModel;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the plan's stable model is loaded and warmed up and the frames consumer has partitions assigned (before
 * that a frame waits for the group to form, and could be skipped as stale by the time it is read). An instance left
 * without partitions (more instances than partitions) is therefore not ready: it takes no traffic. Kafka reachability is reported beside it by
 * Quarkus' Kafka health check and SmallRye's channel checks ({@code /q/health/ready} needs all of them up).
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {

    @Inject
    InferenceService service;

    @Inject
    ProducerWarmUp producers;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("model");
        boolean model = service.registry() != null && service.registry().ready();
        if (model) {
            for (LoadedModel m : service.registry().models()) {
                response.withData(m.ref().toString(), m.model().provider().id());
            }
        }
        java.util.Set<org.apache.kafka.common.TopicPartition> assigned = service.partitions().assigned();
        response.withData("framesPartitions", assigned.size());
        // reported, not gating: the warm-up starts at start-up and a probe must not wait for a metadata round trip
        response.withData("producersWarm", producers.warm());
        return response.status(model && !assigned.isEmpty()).build();
    }
}
