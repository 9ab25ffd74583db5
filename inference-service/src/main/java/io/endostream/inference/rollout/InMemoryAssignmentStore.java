package io.endostream.inference.rollout;

import io.endostream.contracts.control.StreamAssignment;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Assignments of one instance, in memory; entries of streams idle longer than the TTL are dropped (bounded state). */
public final class InMemoryAssignmentStore implements AssignmentStore {

    private final Map<String, StreamAssignment> byStream = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;
    private final AtomicLong puts = new AtomicLong();

    public InMemoryAssignmentStore(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public StreamAssignment get(String streamId) {
        StreamAssignment a = byStream.get(streamId);
        return a == null || a.expired(clock.instant(), ttl) ? null : a;
    }

    @Override
    public void put(StreamAssignment assignment) {
        byStream.put(assignment.streamId(), assignment);
        if (puts.incrementAndGet() % 1024 == 0) {
            byStream.values().removeIf(a -> a.expired(clock.instant(), ttl));
        }
    }

    /** Applies a record read from the assignments topic (another instance's decision, or a tombstone). */
    public void applyRemote(String streamId, StreamAssignment assignment) {
        if (assignment == null) {
            byStream.remove(streamId);
        } else {
            byStream.put(streamId, assignment);
        }
    }

    public Map<String, StreamAssignment> snapshot() {
        return Map.copyOf(byStream);
    }
}
