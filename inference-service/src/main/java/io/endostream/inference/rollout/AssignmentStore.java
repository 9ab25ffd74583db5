package io.endostream.inference.rollout;

import io.endostream.contracts.control.StreamAssignment;

/**
 * Where stream assignments live (contracts' {@code endostream.assignments}): which version each stream runs. Shared
 * by every instance when backed by the topic ({@link KafkaAssignmentStore}), so a stream keeps its version across
 * instance failover and restarts; {@link InMemoryAssignmentStore} serves a single instance without a control plane.
 */
public interface AssignmentStore {

    /** The stream's assignment, or null when it has none (new, or ended and expired). */
    StreamAssignment get(String streamId);

    /** Records a new, moved or touched assignment (visible to {@link #get} at once, published asynchronously). */
    void put(StreamAssignment assignment);
}
