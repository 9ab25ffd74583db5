package io.endostream.inference.stream;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which partitions this instance owns and how far their frames have ended: readiness (partitions assigned) and the
 * revocation drain. On a rebalance the revoked partitions' frames still in flight are waited for (bounded) and their
 * offsets committed before the partitions go, so the new owner does not read them again: a graceful leave costs no
 * duplicate unless the wait times out.
 */
public final class PartitionProgress {

    private final OffsetTracker offsets = new OffsetTracker();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();

    public void received(String topic, int partition, long offset) {
        offsets.received(new TopicPartition(topic, partition), offset);
    }

    public void acknowledged(String topic, int partition, long offset) {
        offsets.acknowledged(new TopicPartition(topic, partition), offset);
    }

    public void assigned(Collection<TopicPartition> partitions) {
        assigned.addAll(partitions);
    }

    public Set<TopicPartition> assigned() {
        return Set.copyOf(assigned);
    }

    /**
     * Waits up to {@code timeout} until no frame of {@code partitions} is in flight, then returns the offsets to
     * commit for them and forgets them. Runs on the consumer's thread inside the rebalance.
     */
    public Revoked revoke(Collection<TopicPartition> partitions, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (offsets.pendingCount(partitions) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(5); // only during a rebalance
        }
        Revoked result = new Revoked(offsets.positions(partitions), offsets.pendingCount(partitions));
        offsets.revoked(partitions);
        assigned.removeAll(partitions);
        return result;
    }

    /** Offsets to commit for revoked partitions, and how many of their frames were still in flight. */
    public record Revoked(Map<TopicPartition, OffsetAndMetadata> commit, int stillInFlight) {
    }

    /** Frames of {@code partitions} still in flight. */
    public int pending(Collection<TopicPartition> partitions) {
        return offsets.pendingCount(partitions);
    }
}
