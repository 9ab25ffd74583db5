package io.endostream.gateway.viewer;

import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.mask.Mask;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Joins the frames, masks and shadow masks of streams by frame id, with bounded memory: at most {@code maxStreams}
 * lanes (least recently used lane evicted) of at most {@code slotsPerStream} frame ids each (oldest evicted). Frames,
 * masks and shadow masks arrive from different topics and partitions, so any of them may come first.
 *
 * <p>A {@link Pair} is emitted when a frame and its mask are both there; when the shadow mask of an already emitted
 * frame arrives later, the pair is emitted again with {@code shadowUpdate = true}. Latest wins: a pair older (by
 * sequence) than one already emitted for its stream is dropped, and once a mask for sequence N is paired, frames
 * below N that still have no mask are forgotten (they were skipped or dead-lettered: masks of a stream come in frame
 * order). Not thread-safe: one thread (the viewer's consumer) owns it.
 */
public final class PairMatcher {

    /** A frame with its mask, and the shadow candidate's mask when one arrived. */
    public record Pair(Frame frame, Mask mask, Mask shadow, boolean shadowUpdate) {
    }

    private static final class Slot {
        Frame frame;
        Mask mask;
        Mask shadow;
        boolean emitted;
        boolean shadowEmitted;
    }

    private final class Lane {
        long lastEmittedSequence = Long.MIN_VALUE;
        final LinkedHashMap<String, Slot> slots = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Slot> eldest) {
                if (size() > slotsPerStream) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
    }

    private final int maxStreams;
    private final int slotsPerStream;
    private final LinkedHashMap<String, Lane> lanes;
    private long evicted;
    private long stale;

    public PairMatcher(int maxStreams, int slotsPerStream) {
        if (maxStreams < 1 || slotsPerStream < 1) {
            throw new IllegalArgumentException("maxStreams and slotsPerStream must be at least 1");
        }
        this.maxStreams = maxStreams;
        this.slotsPerStream = slotsPerStream;
        this.lanes = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Lane> eldest) {
                return size() > PairMatcher.this.maxStreams;
            }
        };
    }

    public List<Pair> onFrame(Frame frame) {
        Lane lane = lane(frame.streamId());
        if (frame.sequence() <= lane.lastEmittedSequence) {
            stale++;
            return List.of();
        }
        Slot slot = lane.slots.computeIfAbsent(frame.frameId(), id -> new Slot());
        slot.frame = frame;
        return check(lane, frame.frameId(), slot);
    }

    public List<Pair> onMask(Mask mask) {
        Lane lane = lane(mask.streamId());
        if (mask.sequence() <= lane.lastEmittedSequence) {
            stale++;
            return List.of();
        }
        Slot slot = lane.slots.computeIfAbsent(mask.frameId(), id -> new Slot());
        slot.mask = mask;
        return check(lane, mask.frameId(), slot);
    }

    public List<Pair> onShadow(Mask shadow) {
        Lane lane = lane(shadow.streamId());
        Slot slot = lane.slots.get(shadow.frameId());
        if (slot == null) {
            if (shadow.sequence() <= lane.lastEmittedSequence) {
                stale++;
                return List.of(); // its frame is gone: nothing to draw it on
            }
            slot = new Slot();
            lane.slots.put(shadow.frameId(), slot);
        }
        slot.shadow = shadow;
        return check(lane, shadow.frameId(), slot);
    }

    /** Forgets a stream (nobody watches it any more). */
    public void forget(String streamId) {
        lanes.remove(streamId);
    }

    /** Keeps only these streams' lanes. */
    public void retain(java.util.Set<String> streamIds) {
        lanes.keySet().retainAll(streamIds);
    }

    /** Frame ids held (frames or masks waiting for their partner, and emitted ones kept for late shadow masks). */
    public int held() {
        int n = 0;
        for (Lane lane : lanes.values()) {
            n += lane.slots.size();
        }
        return n;
    }

    public int streams() {
        return lanes.size();
    }

    /** Slots evicted because a stream's lane was full. */
    public long evicted() {
        return evicted;
    }

    /** Records dropped because a newer pair of their stream had been emitted already. */
    public long stale() {
        return stale;
    }

    private Lane lane(String streamId) {
        return lanes.computeIfAbsent(streamId, id -> new Lane());
    }

    private List<Pair> check(Lane lane, String frameId, Slot slot) {
        if (slot.frame == null || slot.mask == null) {
            return List.of();
        }
        List<Pair> out = new ArrayList<>(1);
        if (!slot.emitted) {
            slot.emitted = true;
            slot.shadowEmitted = slot.shadow != null;
            long sequence = slot.mask.sequence();
            lane.lastEmittedSequence = sequence;
            out.add(new Pair(slot.frame, slot.mask, slot.shadow, false));
            // masks come in frame order: earlier frames without a mask never get one; emitted pairs before this one
            // are kept (a late shadow mask may still come for them) until the lane's bound evicts them
            Iterator<Map.Entry<String, Slot>> it = lane.slots.entrySet().iterator();
            while (it.hasNext()) {
                Slot s = it.next().getValue();
                if (s != slot && !s.emitted && sequenceOf(s) < sequence) {
                    it.remove();
                }
            }
        } else if (slot.shadow != null && !slot.shadowEmitted) {
            slot.shadowEmitted = true;
            out.add(new Pair(slot.frame, slot.mask, slot.shadow, true));
        }
        return out;
    }

    private static long sequenceOf(Slot s) {
        if (s.frame != null) {
            return s.frame.sequence();
        }
        if (s.mask != null) {
            return s.mask.sequence();
        }
        return s.shadow.sequence();
    }
}
