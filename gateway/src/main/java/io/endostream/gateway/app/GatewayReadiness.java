package io.endostream.gateway.app;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the state is rebuilt and while this instance holds the writer role (not fenced). */
@Readiness
@ApplicationScoped
public class GatewayReadiness implements HealthCheck {

    @Inject
    GatewayService service;

    @Override
    public HealthCheckResponse call() {
        boolean fenced = service.fenced();
        return HealthCheckResponse.named("gateway-writer").status(service.core() != null && !fenced)
                .withData("fenced", fenced)
                .withData("modelVersions", service.core() == null ? 0 : service.core().registry().list().size())
                .withData("deployments", service.core() == null ? 0 : service.core().rollouts().plans().size())
                .build();
    }
}
