package io.endostream.inference.shadow;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shadow budget on a hand-driven clock: the queue bound and the busy-time share. */
class ShadowBudgetTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void atMostMaxQueuedShadowFramesAreOutstanding() {
        ShadowBudget budget = new ShadowBudget(2, 1.0, now::get);
        assertNull(budget.tryEnter());
        assertNull(budget.tryEnter());
        assertEquals(ShadowBudget.Refusal.QUEUE_FULL, budget.tryEnter());
        budget.unused();
        assertNull(budget.tryEnter(), "a place freed by a cancelled frame is taken again");
        budget.finished(1_000);
        assertNull(budget.tryEnter());
        assertEquals(2, budget.queued());
    }

    @Test
    void theShadowThreadIsBusyAtMostItsShareOfTheTime() {
        ShadowBudget budget = new ShadowBudget(8, 0.25, now::get);
        // the bucket starts full (0.25 s of busy time); a 400 ms frame spends it and more
        assertNull(budget.tryEnter());
        now.addAndGet(400_000_000L);
        budget.finished(400_000_000L); // credit min(0.25, 0.25 + 0.1 refilled meanwhile) - 0.4 = -0.15 s
        assertEquals(ShadowBudget.Refusal.SHARE_SPENT, budget.tryEnter());
        now.addAndGet(599_000_000L); // +0.14975 s: still in debt
        assertEquals(ShadowBudget.Refusal.SHARE_SPENT, budget.tryEnter());
        now.addAndGet(2_000_000L);
        assertNull(budget.tryEnter(), "credit is back once a quarter of the elapsed time covers the debt");
    }

    @Test
    void zeroQueuedTurnsTheShadowOffAndBadSettingsAreRefused() {
        assertEquals(ShadowBudget.Refusal.QUEUE_FULL, new ShadowBudget(0, 0.5, now::get).tryEnter());
        assertThrows(IllegalArgumentException.class, () -> new ShadowBudget(1, 0, now::get));
        assertThrows(IllegalArgumentException.class, () -> new ShadowBudget(1, 1.5, now::get));
        assertThrows(IllegalArgumentException.class, () -> new ShadowBudget(-1, 0.5, now::get));
    }

    @Test
    void aFrameThatWaitedForTheCpuIsNotShadowed() {
        io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.endostream.inference.rollout.TelemetryRecorder telemetry =
                new io.endostream.inference.rollout.TelemetryRecorder();
        io.endostream.contracts.rollout.ModelRef candidate = new io.endostream.contracts.rollout.ModelRef("m", "2");
        try (ShadowRunner runner = new ShadowRunner(new io.endostream.inference.rollout.ModelRegistry(),
                record -> java.util.concurrent.CompletableFuture.completedFuture(null), telemetry, meters,
                ShadowSettings.defaults(), java.time.Clock.systemUTC(), io.endostream.inference.stream.FaultInjector.NONE)) {
            io.endostream.contracts.frame.Frame frame = new io.endostream.contracts.frame.Frame("room", "room-1", 1,
                    1L, io.endostream.contracts.frame.ImageFormat.JPEG, 0, 0, new byte[]{1});
            assertNull(runner.offer(candidate, new io.endostream.contracts.rollout.ModelRef("m", "1"), frame, null,
                    8, 8, Duration.ofMillis(21).toNanos()), "20 ms is the default max-primary-wait");
            assertEquals(1, meters.find("endostream.shadow.dropped").tags("reason", "primary-behind").counter().count());
            assertEquals(1, telemetry.snapshot().get(0).shadowDropped(), "a budget drop, as the gateway sees it");
            assertEquals(0, runner.queued());
        }
    }

    @Test
    void badShadowSettingsStopStartUpNamingTheSetting() {
        assertEquals(List.of(), ShadowConfig.problems(config(4, 0.5, Duration.ofMinutes(1))));
        assertEquals(List.of("endostream.shadow.max-queued must be 0..1024, was -1",
                "endostream.shadow.max-share must be > 0 and <= 1, was 0.0",
                "endostream.shadow.max-primary-wait must be >= 0, was PT-1S",
                "endostream.shadow.failure-log-interval must be >= 0, was PT-1S"),
                ShadowConfig.problems(config(-1, 0, Duration.ofSeconds(-1))));
    }

    private static ShadowConfig config(int maxQueued, double maxShare, Duration logInterval) {
        return new ShadowConfig() {
            public int maxQueued() {
                return maxQueued;
            }

            public double maxShare() {
                return maxShare;
            }

            public Duration maxPrimaryWait() {
                return logInterval;
            }

            public Duration failureLogInterval() {
                return logInterval;
            }
        };
    }
}
