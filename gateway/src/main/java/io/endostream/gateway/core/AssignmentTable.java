package io.endostream.gateway.core;

import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.StreamAssignment;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The stream assignments as the gateway reads them from {@code endostream.assignments}; expires ended streams. */
public final class AssignmentTable {

    private final Map<String, StreamAssignment> byStream = new ConcurrentHashMap<>();

    public void apply(String streamId, byte[] value) {
        if (value == null) {
            byStream.remove(streamId);
        } else {
            byStream.put(streamId, ControlJson.read(value, StreamAssignment.class));
        }
    }

    public List<StreamAssignment> all() {
        return byStream.values().stream().sorted(java.util.Comparator.comparing(StreamAssignment::streamId)).toList();
    }

    /** Tombstones for every assignment idle for longer than {@code ttl} (the streams have ended). */
    public List<ControlWrite> expired(Instant now, Duration ttl, String topic) {
        List<ControlWrite> out = new ArrayList<>();
        for (StreamAssignment a : byStream.values()) {
            if (a.expired(now, ttl)) {
                out.add(new ControlWrite(topic, a.streamId(), null));
            }
        }
        return out;
    }
}
