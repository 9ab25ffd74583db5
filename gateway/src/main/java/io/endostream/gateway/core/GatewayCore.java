package io.endostream.gateway.core;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * The whole gateway without a framework: registry, rollout controller, audit log, telemetry and assignments, all
 * applying the records of the control topics ({@link #apply}) and writing through one {@link ControlLog}.
 */
public final class GatewayCore {

    private final TopicNames topics;
    private final AuditLog audit = new AuditLog();
    private final TelemetryView telemetry = new TelemetryView();
    private final AssignmentTable assignments = new AssignmentTable();
    private final Registry registry;
    private final RolloutController rollouts;
    private final ControlLog log;
    private final Clock clock;

    public GatewayCore(ArtifactStore store, GraphChecker checker, ControlLog log, TopicNames topics, Clock clock,
                       RolloutController.Settings settings) {
        this.topics = topics;
        this.log = log;
        this.clock = clock;
        this.registry = new Registry(store, checker, log, topics, audit, clock);
        this.rollouts = new RolloutController(registry, log, topics, audit, telemetry, clock, settings);
    }

    /** Applies one record of a control topic (rebuild and follow). */
    public void apply(String topic, String key, byte[] value) {
        if (topic.equals(topics.models())) {
            registry.apply(key, value);
        } else if (topic.equals(topics.rollouts())) {
            rollouts.apply(key, value);
        } else if (topic.equals(topics.assignments())) {
            assignments.apply(key, value);
        } else if (topic.equals(topics.telemetry())) {
            telemetry.apply(key, value);
        } else if (topic.equals(topics.audit()) && value != null) {
            audit.add(io.endostream.contracts.control.ControlJson.read(value,
                    io.endostream.contracts.control.AuditEntry.class));
        }
    }

    /** Writes tombstones for streams idle longer than {@code ttl}; returns how many. */
    public int expireAssignments(Duration ttl) {
        List<ControlWrite> tombstones = assignments.expired(clock.instant(), ttl, topics.assignments());
        if (!tombstones.isEmpty()) {
            log.commit(tombstones);
            for (ControlWrite t : tombstones) {
                assignments.apply(t.key(), null);
            }
        }
        return tombstones.size();
    }

    public TopicNames topics() {
        return topics;
    }

    public AuditLog audit() {
        return audit;
    }

    public TelemetryView telemetry() {
        return telemetry;
    }

    public AssignmentTable assignments() {
        return assignments;
    }

    public Registry registry() {
        return registry;
    }

    public RolloutController rollouts() {
        return rollouts;
    }
}
