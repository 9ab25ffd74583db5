package io.endostream.inference.stream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The lanes of the streams with frames in flight, by stream id. A lane exists only while its stream has frames
 * in flight: it is dropped the moment it becomes idle (idle time 0), so stream ids from outside (a new one per
 * procedure, or 100,000 one-frame streams) leave nothing behind. A later frame of the stream opens a new lane;
 * order still holds because the old one had released and settled everything.
 *
 * <p>Lock order: the map's bin (compute) before a lane's lock; nobody calls into the map holding a lane's lock.
 */
final class StreamLanes<T> {

    /** A lane and the ticket taken on it, atomically with respect to the lane's removal. */
    record Admitted<T>(StreamLane<T> lane, long ticket) {
    }

    private final ConcurrentHashMap<String, StreamLane<T>> lanes = new ConcurrentHashMap<>();

    Admitted<T> admit(String streamId) {
        long[] ticket = new long[1];
        @SuppressWarnings("unchecked")
        StreamLane<T>[] lane = new StreamLane[1];
        lanes.compute(streamId, (k, existing) -> {
            StreamLane<T> l = existing == null ? new StreamLane<>() : existing;
            ticket[0] = l.nextTicket();
            lane[0] = l;
            return l;
        });
        return new Admitted<>(lane[0], ticket[0]);
    }

    /** Drops {@code lane} if it is still the stream's lane and idle. Call without holding the lane's lock. */
    void dropIfIdle(String streamId, StreamLane<T> lane) {
        lanes.computeIfPresent(streamId, (k, current) -> current == lane && current.idle() ? null : current);
    }

    int size() {
        return lanes.size();
    }

    /** Streams whose lane has work and made no progress since {@code sinceNanos}. */
    long stuck(long sinceNanos) {
        return lanes.values().stream().filter(l -> l.stuckSince(sinceNanos)).count();
    }

    /** Streams whose lane is holding outcomes back while failed publishes are retried. */
    long retrying() {
        return lanes.values().stream().filter(StreamLane::retrying).count();
    }

    <R> R with(String streamId, Function<StreamLane<T>, R> f) {
        return f.apply(lanes.get(streamId));
    }
}
