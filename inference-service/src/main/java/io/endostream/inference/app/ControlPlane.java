package io.endostream.inference.app;

import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.rollout.ControlPlaneConfig;
import io.endostream.inference.rollout.GatewayClient;
import io.endostream.inference.rollout.InstanceIds;
import io.endostream.inference.rollout.KafkaAssignmentStore;
import io.endostream.inference.rollout.ModelRegistry;
import io.endostream.inference.rollout.RolloutFollower;
import io.endostream.inference.rollout.TelemetryPublisher;
import io.endostream.inference.rollout.TelemetryRecorder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.time.Clock;
import java.util.List;

/**
 * Wires the rollout follower (package {@code rollout}) into the service when {@code endostream.control-plane.enabled}:
 * the model registry shares stream assignments through the assignments topic, the follower loads the plan's versions
 * from the gateway and applies the plan, telemetry goes to the telemetry topic. Off: a plain registry, as before.
 */
@ApplicationScoped
public class ControlPlane {

    private static final Logger LOG = Logger.getLogger(ControlPlane.class);

    @Inject
    ControlPlaneConfig config;

    @Inject
    MeterRegistry meters;

    @Inject
    InferenceService service;

    @ConfigProperty(name = "kafka.bootstrap.servers", defaultValue = "localhost:9092")
    String bootstrapServers;

    private KafkaAssignmentStore assignments;
    private RolloutFollower follower;
    private TelemetryPublisher publisher;
    private final TelemetryRecorder telemetry = new TelemetryRecorder();
    private String instanceId;

    /** The registry InferenceService routes by: sharing assignments through the topic when enabled. */
    ModelRegistry newRegistry() {
        List<String> problems = ControlPlaneConfig.problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
        instanceId = config.instanceId().orElseGet(InstanceIds::generate);
        if (!config.enabled()) {
            return new ModelRegistry();
        }
        assignments = new KafkaAssignmentStore(bootstrapServers, config.assignmentsTopic(), config.assignmentTtl(),
                Clock.systemUTC());
        return new ModelRegistry(assignments, instanceId, config.touchInterval(), Clock.systemUTC());
    }

    /**
     * Runs before SmallRye Reactive Messaging starts the frames channel (its start-up observer has priority
     * LIBRARY_BEFORE), and waits up to {@code startup-sync-timeout} for the follower to read the control topics and
     * apply the latest plan: a frame taken earlier would be routed by the start-up model with its stream's sticky
     * assignment still unread, so after a restart of every instance a backlog was served by the wrong version.
     */
    void start(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE - 100) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        ModelRegistry registry = service.registry();
        follower = new RolloutFollower(bootstrapServers, new RolloutFollower.Settings(config.deployment(),
                config.rolloutsTopic(), config.modelsTopic(), config.assignmentsTopic(), config.assignmentTtl(),
                config.retryAfter()), registry, assignments,
                new GatewayClient(config.gatewayUrl().orElseThrow(), config.token(), config.cacheDir()),
                new ModelLoader(config.cacheDir()), service::load, telemetry, Clock.systemUTC());
        follower.start();
        publisher = new TelemetryPublisher(bootstrapServers, config.telemetryTopic(), instanceId, config.deployment(),
                telemetry, follower::status, Clock.systemUTC());
        publisher.start(config.telemetryInterval());
        Gauge.builder("endostream.control.plane.stale", follower, f -> f.status().stale() ? 1 : 0)
                .description("1 while the broker or the gateway cannot be reached: serving on the last known plan")
                .register(meters);
        Gauge.builder("endostream.plan.revision", follower, f -> f.status().planRevision())
                .description("Revision of the rollout plan this instance routes by").register(meters);
        FunctionCounter.builder("endostream.model.verification.failures", follower,
                f -> f.status().verificationFailures()).description("Fetched artifacts refused for a SHA-256 mismatch")
                .register(meters);
        FunctionCounter.builder("endostream.model.load.failures", follower, f -> f.status().loadFailures())
                .description("Versions that could not be fetched, verified or loaded").register(meters);
        FunctionCounter.builder("endostream.routing.fallbacks", registry, ModelRegistry::fallbacks)
                .description("Frames served by stable because their stream's version was not loaded here")
                .register(meters);
        LOG.infof("following deployment %s as %s (gateway %s)", config.deployment(), instanceId,
                config.gatewayUrl().orElseThrow());
        if (!awaitSynced()) {
            LOG.warnf("control topics not read to their end within %s (endostream.control-plane.startup-sync-timeout):"
                    + " taking frames on plan %d; streams may be routed before their assignments are known",
                    config.startupSyncTimeout(), follower.status().planRevision());
        }
    }

    private boolean awaitSynced() {
        try {
            return follower.awaitSynced(config.startupSyncTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Null when the control plane is off. */
    public RolloutFollower follower() {
        return follower;
    }

    public TelemetryRecorder telemetry() {
        return telemetry;
    }

    public boolean enabled() {
        return config.enabled();
    }

    @PreDestroy
    void stop() {
        if (publisher != null) {
            publisher.close();
        }
        if (follower != null) {
            follower.close();
        }
        if (assignments != null) {
            assignments.close();
        }
    }
}
