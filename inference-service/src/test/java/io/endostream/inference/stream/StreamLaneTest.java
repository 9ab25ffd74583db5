package io.endostream.inference.stream;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reorder buffer and its hold-after-a-failed-publish rule, driven directly. */
class StreamLaneTest {

    /** Records hand-overs; settles nothing by itself unless told to (like a publisher whose acks come later). */
    static final class Recorder implements StreamLane.Releaser<String> {
        final List<String> released = new ArrayList<>();
        boolean settleAtOnce;
        String refuse; // an item the publisher refuses at once, the first time it is offered

        @Override
        public StreamLane.Handed release(long ticket, String item, boolean retry) {
            released.add(item + (retry ? "(retry)" : ""));
            if (item.equals(refuse)) {
                refuse = null;
                return StreamLane.Handed.FAILED;
            }
            return settleAtOnce ? StreamLane.Handed.SETTLED : StreamLane.Handed.PUBLISHING;
        }
    }

    @Test
    void outcomesAreReleasedInTicketOrderWhateverOrderTheyComplete() {
        StreamLane<String> lane = new StreamLane<>();
        Recorder r = new Recorder();
        r.settleAtOnce = true;
        long a = lane.nextTicket();
        long b = lane.nextTicket();
        long c = lane.nextTicket();
        lane.complete(c, "c", r);
        lane.complete(b, "b", r);
        assertEquals(List.of(), r.released, "nothing before a");
        assertFalse(lane.idle());
        lane.complete(a, "a", r);
        assertEquals(List.of("a", "b", "c"), r.released);
        assertTrue(lane.idle());
    }

    @Test
    void aFailedPublishHoldsLaterOutcomesUntilItIsRepublishedAlone() {
        StreamLane<String> lane = new StreamLane<>();
        Recorder r = new Recorder();
        long[] t = new long[4];
        for (int i = 0; i < 4; i++) {
            t[i] = lane.nextTicket();
        }
        lane.complete(t[0], "m0", r);
        lane.complete(t[1], "m1", r);
        assertEquals(List.of("m0", "m1"), r.released, "pipelined while all is well");
        lane.settled(t[0], "m0", false, r); // m0 failed while m1 is still with the producer
        lane.complete(t[2], "m2", r);
        assertEquals(List.of("m0", "m1"), r.released, "m2 held, and m0 not re-sent while m1 is unsettled");
        lane.settled(t[1], "m1", false, r); // the producer failed m1 too (same partition)
        assertEquals(List.of("m0", "m1", "m0(retry)"), r.released, "the lowest failed one goes again, alone");
        lane.settled(t[0], "m0", true, r);
        assertEquals(List.of("m0", "m1", "m0(retry)", "m1(retry)"), r.released);
        assertTrue(lane.retrying());
        lane.settled(t[1], "m1", true, r);
        assertEquals(List.of("m0", "m1", "m0(retry)", "m1(retry)", "m2"), r.released, "then the held ones, in order");
        assertFalse(lane.retrying());
        lane.complete(t[3], "m3", r);
        lane.settled(t[2], "m2", true, r);
        lane.settled(t[3], "m3", true, r);
        assertEquals("m3", r.released.get(r.released.size() - 1));
        assertTrue(lane.idle());
    }

    @Test
    void aPublishRefusedAtOnceStopsTheReleaseBeforeTheNextOutcome() {
        StreamLane<String> lane = new StreamLane<>();
        Recorder r = new Recorder();
        r.refuse = "m1";
        long[] t = new long[3];
        for (int i = 0; i < 3; i++) {
            t[i] = lane.nextTicket();
        }
        lane.complete(t[1], "m1", r);
        lane.complete(t[2], "m2", r);
        lane.complete(t[0], "m0", r);
        assertEquals(List.of("m0", "m1"), r.released, "m2 not handed over after m1 was refused; m1 waits for m0");
        lane.settled(t[0], "m0", true, r);
        assertEquals(List.of("m0", "m1", "m1(retry)"), r.released);
        lane.settled(t[1], "m1", true, r);
        assertEquals(List.of("m0", "m1", "m1(retry)", "m2"), r.released);
    }

    @Test
    void aLaneWithoutProgressIsStuckAndAnIdleOneIsNot() throws Exception {
        StreamLane<String> lane = new StreamLane<>();
        Recorder r = new Recorder();
        r.settleAtOnce = true;
        long before = System.nanoTime() - 1;
        assertFalse(lane.stuckSince(System.nanoTime() + 1_000_000_000L), "idle is never stuck");
        long a = lane.nextTicket();
        long after = System.nanoTime() + 1;
        assertTrue(lane.stuckSince(after), "waiting and no progress since 'after'");
        assertFalse(lane.stuckSince(before));
        lane.complete(a, "a", r);
        assertFalse(lane.stuckSince(System.nanoTime() + 1_000_000_000L));
    }

    @Test
    void lanesAreDroppedWhenIdleAndTicketsNeverRaceTheDrop() {
        StreamLanes<String> lanes = new StreamLanes<>();
        Recorder r = new Recorder();
        r.settleAtOnce = true;
        StreamLanes.Admitted<String> first = lanes.admit("s");
        StreamLanes.Admitted<String> second = lanes.admit("s");
        assertTrue(first.lane() == second.lane(), "one lane per stream while frames are in flight");
        first.lane().complete(first.ticket(), "a", r);
        lanes.dropIfIdle("s", first.lane());
        assertEquals(1, lanes.size(), "second frame still in flight");
        second.lane().complete(second.ticket(), "b", r);
        lanes.dropIfIdle("s", second.lane());
        assertEquals(0, lanes.size());
        StreamLanes.Admitted<String> third = lanes.admit("s");
        assertEquals(0, third.ticket(), "a new lane starts afresh");
        lanes.dropIfIdle("s", first.lane()); // a stale reference never drops the new lane
        assertEquals(1, lanes.size());
    }
}
