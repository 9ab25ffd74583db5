package io.endostream.inference.stream;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commit path: an offset is committed only when it and everything before it in its partition are acknowledged. */
class OffsetTrackerTest {

    static final TopicPartition P0 = new TopicPartition("endoscopy.frames", 0);
    static final TopicPartition P1 = new TopicPartition("endoscopy.frames", 1);

    @Test
    void commitsOnlyBelowTheLowestUnacknowledgedOffsetPerPartition() {
        OffsetTracker t = new OffsetTracker();
        for (long o = 10; o < 14; o++) {
            t.received(P0, o);
        }
        t.received(P1, 3);
        t.acknowledged(P0, 11);
        t.acknowledged(P0, 12);
        t.acknowledged(P1, 3);
        Map<TopicPartition, OffsetAndMetadata> first = t.committable();
        assertEquals(Map.of(P0, new OffsetAndMetadata(10), P1, new OffsetAndMetadata(4)), first,
                "10 still pending holds P0 at 10 although 11 and 12 are done");
        t.acknowledged(P0, 10);
        assertEquals(Map.of(P0, new OffsetAndMetadata(13)), t.committable(), "only what moved");
        assertTrue(t.committable().isEmpty(), "nothing moved since");
        t.acknowledged(P0, 13);
        assertEquals(Map.of(P0, new OffsetAndMetadata(14)), t.committable());
        assertEquals(0, t.pendingCount());
    }

    @Test
    void revokedPartitionsAreForgotten() {
        OffsetTracker t = new OffsetTracker();
        t.received(P0, 5);
        t.received(P1, 7);
        t.revoked(List.of(P0));
        assertEquals(1, t.pendingCount());
        t.acknowledged(P0, 5); // a late ack of a revoked partition changes nothing
        assertEquals(Map.of(P1, new OffsetAndMetadata(7)), t.committable());
    }
}
