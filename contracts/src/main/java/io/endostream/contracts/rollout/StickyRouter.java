package io.endostream.contracts.rollout;

import io.endostream.contracts.control.StreamAssignment;

import java.time.Instant;
import java.util.Objects;

/**
 * Stream-sticky routing: applies a {@link RolloutPlan} to a stream that may already have a
 * {@link StreamAssignment}. Pure and deterministic, like {@link StreamRouter}.
 *
 * <p><b>Stickiness, exactly.</b> The version a stream runs is its assignment. An assignment is made once, when the
 * stream's first frame arrives and it has none (or its previous one expired: the stream had ended), by
 * {@link StreamRouter#route}: pin, else canary bucket, else stable. From then on:
 * <ol>
 *   <li>a <b>pin</b> in the plan moves the stream to the pinned version (the assignment is rewritten, because
 *       {@code pin}); removing the pin later does not move it back: it stays on the pinned version;</li>
 *   <li>a <b>rollback</b> (the assigned version is in the plan's {@code rolledBack}) moves it to the version the
 *       plan routes it to now (because {@code rollback});</li>
 *   <li>nothing else moves it: not a larger or smaller canary share, not a promotion (streams that started on the
 *       old stable finish on it), not a change of instance, not a restart.</li>
 * </ol>
 * A new stream follows the current step. The shadow is chosen by {@link StreamRouter}'s rule against the stream's
 * actual primary version: a stream is never shadowed by the version it runs on.
 */
public final class StickyRouter {

    private StickyRouter() {
    }

    /**
     * A routing decision.
     *
     * @param primary    the version that serves the stream
     * @param shadow     the version that runs on a copy of its frames, or null
     * @param assignment the stream's assignment after this decision
     * @param changed    true when {@code assignment} is new or moved and must be written to the assignments topic
     */
    public record Decision(ModelRef primary, ModelRef shadow, StreamAssignment assignment, boolean changed) {
    }

    /**
     * Routes a frame of {@code streamId}.
     *
     * @param plan       the plan the instance follows
     * @param current    the stream's assignment, or null when it has none (new, or ended and expired)
     * @param streamId   the stream
     * @param instanceId the instance deciding (recorded in a new assignment)
     * @param now        the time of the decision
     */
    public static Decision route(RolloutPlan plan, StreamAssignment current, String streamId, String instanceId,
                                 Instant now) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(streamId, "streamId");
        StreamRouter.Route fresh = StreamRouter.route(plan, streamId);
        ModelRef pinned = plan.pins().get(streamId);
        StreamAssignment next;
        boolean changed;
        if (pinned != null) {
            changed = current == null || !pinned.equals(current.model());
            next = changed ? assign(plan, streamId, pinned, StreamAssignment.PIN, instanceId, now) : current;
        } else if (current == null) {
            next = assign(plan, streamId, fresh.primary(), fresh.because(), instanceId, now);
            changed = true;
        } else if (plan.rolledBack().contains(current.model())) {
            next = assign(plan, streamId, fresh.primary(), StreamAssignment.ROLLBACK, instanceId, now);
            changed = true;
        } else {
            next = current;
            changed = false;
        }
        ModelRef primary = next.model();
        ModelRef shadow = null;
        if (plan.shadow() != null && !plan.shadow().equals(primary)
                && (plan.shadowStreams().contains(streamId)
                || StreamRouter.bucket(streamId) >= StreamRouter.BUCKETS - StreamRouter.threshold(plan.shadowPercent()))) {
            shadow = plan.shadow();
        }
        return new Decision(primary, shadow, next, changed);
    }

    private static StreamAssignment assign(RolloutPlan plan, String streamId, ModelRef model, String because,
                                           String instanceId, Instant now) {
        return new StreamAssignment(streamId, plan.deploymentName(), model, because, plan.revision(), now.toString(),
                instanceId, now.toString());
    }
}
