package io.endostream.inference.stream;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which offsets may be committed: per partition, everything below the lowest offset still in flight. Frames
 * finish out of order across streams, so an acknowledged frame's offset is only committed once every earlier
 * frame of its partition is acknowledged too. Thread-safe.
 */
final class OffsetTracker {

    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
    private final Map<TopicPartition, Long> highestSeen = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();

    synchronized void received(TopicPartition partition, long offset) {
        pending.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
        highestSeen.merge(partition, offset, Math::max);
    }

    synchronized void acknowledged(TopicPartition partition, long offset) {
        TreeSet<Long> set = pending.get(partition);
        if (set != null) {
            set.remove(offset);
        }
    }

    /** Offsets to commit now (the next offset to read per partition), only those that moved. */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable() {
        return committable(null);
    }

    /** {@link #committable()} for {@code only} these partitions (null: all). */
    synchronized Map<TopicPartition, OffsetAndMetadata> committable(java.util.Collection<TopicPartition> only) {
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        highestSeen.forEach((partition, highest) -> {
            if (only != null && !only.contains(partition)) {
                return;
            }
            TreeSet<Long> set = pending.get(partition);
            long next = set == null || set.isEmpty() ? highest + 1 : set.first();
            Long last = committed.get(partition);
            if (last == null || next > last) {
                result.put(partition, new OffsetAndMetadata(next));
                committed.put(partition, next);
            }
        });
        return result;
    }

    /**
     * The next offset to read for each of {@code partitions} seen here, whether or not it moved since the last
     * commit: a revoked partition's final commit must not rely on an earlier asynchronous commit having succeeded
     * (those fail during a rebalance).
     */
    synchronized Map<TopicPartition, OffsetAndMetadata> positions(java.util.Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
        for (TopicPartition partition : partitions) {
            Long highest = highestSeen.get(partition);
            if (highest != null) {
                TreeSet<Long> set = pending.get(partition);
                long next = set == null || set.isEmpty() ? highest + 1 : set.first();
                result.put(partition, new OffsetAndMetadata(next));
                committed.put(partition, next);
            }
        }
        return result;
    }

    synchronized int pendingCount() {
        return pending.values().stream().mapToInt(TreeSet::size).sum();
    }

    synchronized int pendingCount(java.util.Collection<TopicPartition> partitions) {
        int n = 0;
        for (TopicPartition p : partitions) {
            TreeSet<Long> set = pending.get(p);
            n += set == null ? 0 : set.size();
        }
        return n;
    }

    /** Forgets partitions taken away by a rebalance (their unacked frames will be redelivered elsewhere). */
    synchronized void revoked(java.util.Collection<TopicPartition> partitions) {
        for (TopicPartition p : partitions) {
            pending.remove(p);
            highestSeen.remove(p);
            committed.remove(p);
        }
    }
}
