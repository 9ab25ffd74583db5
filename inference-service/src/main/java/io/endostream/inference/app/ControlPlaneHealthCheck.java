package io.endostream.inference.app;

import io.endostream.inference.rollout.RolloutFollower;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the control plane in readiness data without ever going down: when the gateway or the broker is
 * unreachable the instance keeps serving on the last plan it knows ({@code planStale: true}).
 */
@Readiness
@ApplicationScoped
public class ControlPlaneHealthCheck implements HealthCheck {

    @Inject
    ControlPlane controlPlane;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("control-plane").up()
                .withData("enabled", controlPlane.enabled());
        RolloutFollower follower = controlPlane.follower();
        if (follower != null) {
            RolloutFollower.Status s = follower.status();
            b.withData("planRevision", s.planRevision()).withData("planStale", s.stale())
                    .withData("brokerReachable", s.brokerReachable()).withData("gatewayReachable", s.gatewayReachable())
                    .withData("failedVersions", s.failedVersions().toString());
        }
        return b.build();
    }
}
