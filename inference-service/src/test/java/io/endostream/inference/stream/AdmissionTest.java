package io.endostream.inference.stream;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The consumer is held back by frame count or by bytes, whichever is reached first, and let go when room returns. */
class AdmissionTest {

    private static boolean done(CompletionStage<Void> stage) {
        return stage.toCompletableFuture().isDone();
    }

    @Test
    void smallFramesAreHeldBackByCount() {
        Admission admission = new Admission(3, 1_000_000, new AtomicInteger());
        assertTrue(done(admission.enter(10)));
        assertTrue(done(admission.enter(10)));
        CompletionStage<Void> third = admission.enter(10);
        assertFalse(done(third), "the third frame fills the pipeline: the next one must wait");
        admission.leave(10);
        assertTrue(done(third));
        assertEquals(2, admission.inFlight());
    }

    @Test
    void largeFramesAreHeldBackByBytesLongBeforeTheCount() {
        Admission admission = new Admission(256, 64L << 20, new AtomicInteger());
        long frame = 8L << 20; // 8 MiB frames: 8 fill 64 MiB, whatever the count allows
        for (int i = 0; i < 7; i++) {
            assertTrue(done(admission.enter(frame)), "frame " + i);
        }
        CompletionStage<Void> eighth = admission.enter(frame);
        assertFalse(done(eighth));
        assertEquals(64L << 20, admission.bytesInFlight());
        admission.leave(frame);
        assertTrue(done(eighth));
    }

    @Test
    void aFrameLargerThanTheByteBoundIsStillTakenInAlone() {
        Admission admission = new Admission(256, 1 << 20, new AtomicInteger());
        CompletionStage<Void> next = admission.enter(5 << 20);
        assertEquals(1, admission.inFlight(), "the consumer already has it: it is processed, not refused");
        assertFalse(done(next), "nothing else comes while it is in flight");
        admission.leave(5 << 20);
        assertTrue(done(next));
        assertEquals(0, admission.bytesInFlight());
    }
}
