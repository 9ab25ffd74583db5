package io.endostream.gateway.viewer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The streams seen on the masks topic lately, for the viewer's stream picker. Bounded: at most {@code maxStreams}
 * (the least recently seen is dropped), and a stream not seen for {@code ttl} expires. Stream ids come from outside
 * and can be anything, so nothing here grows without bound. Thread-safe.
 */
public final class StreamDirectory {

    /** What the picker shows of a stream. */
    public record StreamInfo(String streamId, String model, long lastSeenMillis, long masks, double endToEndMs,
                             double polypArea) {
    }

    private final int maxStreams;
    private final long ttlMillis;
    private final LinkedHashMap<String, StreamInfo> streams;

    public StreamDirectory(int maxStreams, Duration ttl) {
        if (maxStreams < 1 || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("maxStreams must be at least 1 and ttl positive");
        }
        this.maxStreams = maxStreams;
        this.ttlMillis = ttl.toMillis();
        this.streams = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, StreamInfo> eldest) {
                return size() > StreamDirectory.this.maxStreams;
            }
        };
    }

    /** Notes a mask of {@code streamId} seen at {@code nowMillis}. */
    public synchronized void saw(String streamId, String model, double endToEndMs, double polypArea, long nowMillis) {
        StreamInfo before = streams.get(streamId);
        long masks = before == null ? 1 : before.masks() + 1;
        streams.put(streamId, new StreamInfo(streamId, model, nowMillis, masks, endToEndMs, polypArea));
    }

    /** Streams seen within the ttl, sorted by id; expired ones are dropped. */
    public synchronized List<StreamInfo> list(long nowMillis) {
        expire(nowMillis);
        List<StreamInfo> out = new ArrayList<>(streams.values());
        out.sort(Comparator.comparing(StreamInfo::streamId));
        return out;
    }

    public synchronized boolean contains(String streamId, long nowMillis) {
        expire(nowMillis);
        return streams.containsKey(streamId);
    }

    public synchronized int size() {
        return streams.size();
    }

    private void expire(long nowMillis) {
        Iterator<StreamInfo> it = streams.values().iterator();
        while (it.hasNext()) {
            if (nowMillis - it.next().lastSeenMillis() > ttlMillis) {
                it.remove();
            }
        }
    }
}
