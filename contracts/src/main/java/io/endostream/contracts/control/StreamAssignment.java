package io.endostream.contracts.control;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.endostream.contracts.rollout.ModelRef;

import java.time.Duration;
import java.time.Instant;

/**
 * Which model version a live stream runs: the value on the compacted {@code endostream.assignments} topic, key =
 * stream id. This is what makes rollouts stream-sticky across plan steps, instance failover and restarts: any
 * instance that takes the stream over reads the same answer. See {@link io.endostream.contracts.rollout.StickyRouter}
 * for the exact rules.
 *
 * <p>Written by the inference instance that serves the stream: when the stream's first frame arrives (no
 * assignment), when a pin or a rollback moves it, and every {@code touch interval} while frames flow (only
 * {@code lastSeenAt} changes). A tombstone (null value) means the stream has ended: the gateway writes one for an
 * assignment whose {@code lastSeenAt} is older than the assignment TTL; the next frame with that id starts a new
 * life and follows the plan of that moment.
 *
 * @param streamId    the stream (same as the key)
 * @param deployment  the deployment whose plan assigned it
 * @param model       the version serving it
 * @param because     {@code stable}, {@code canary} (first frame routed by the plan), {@code pin}, {@code rollback}
 * @param planRevision revision of the plan that made the decision
 * @param assignedAt  RFC 3339 time of the decision
 * @param assignedBy  instance id that wrote the decision
 * @param lastSeenAt  RFC 3339 time of the latest frame the writer had seen when it wrote this record
 */
@JsonPropertyOrder({"streamId", "deployment", "model", "because", "planRevision", "assignedAt", "assignedBy",
        "lastSeenAt"})
public record StreamAssignment(String streamId, String deployment, ModelRef model, String because, long planRevision,
                               String assignedAt, String assignedBy, String lastSeenAt) {

    public static final String STABLE = "stable";
    public static final String CANARY = "canary";
    public static final String PIN = "pin";
    public static final String ROLLBACK = "rollback";

    /** The same decision, seen at {@code at} (a touch). */
    public StreamAssignment seen(Instant at) {
        return new StreamAssignment(streamId, deployment, model, because, planRevision, assignedAt, assignedBy,
                at.toString());
    }

    /** True when the stream has ended: no frame for longer than {@code ttl} before {@code now}. */
    public boolean expired(Instant now, Duration ttl) {
        Instant seen = Instant.parse(lastSeenAt != null ? lastSeenAt : assignedAt);
        return seen.plus(ttl).isBefore(now);
    }
}
