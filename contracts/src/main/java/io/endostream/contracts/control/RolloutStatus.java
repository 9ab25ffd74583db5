package io.endostream.contracts.control;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.endostream.contracts.rollout.ModelRef;

import java.util.List;

/**
 * The gateway's rollout state for one deployment, carried in the plan (field {@code status}) so that a restarted
 * gateway resumes where it was. Followers ignore it: they route by the plan's routing fields only.
 *
 * <p>Phases: {@code stable} (no candidate), {@code shadow} (candidate runs on copies only), {@code canary}
 * (candidate takes {@code steps[step]} % of new streams), {@code paused} (held by an operator; {@code pausedPhase}
 * says which), and the ends recorded after a rollout: {@code promoted}, {@code rolled-back}. After an end the
 * deployment is back to one stable version and a new rollout may start.
 *
 * @param phase        see above
 * @param candidate    the version being rolled out, null in {@code stable}
 * @param steps        canary shares in percent, ascending, last one 100 (e.g. 5, 25, 50, 100)
 * @param step         index into steps of the current canary step; -1 while in shadow
 * @param stepStartedAt RFC 3339 time the current step (or shadow) started: the analysis sample starts there
 * @param pausedPhase  the phase a paused rollout resumes to
 * @param gates        the analysis gates
 * @param previous     the stable version before the last promotion (null when none)
 * @param reason       why the last transition happened
 */
@JsonPropertyOrder({"phase", "candidate", "steps", "step", "stepStartedAt", "pausedPhase", "gates", "previous",
        "reason"})
public record RolloutStatus(String phase, ModelRef candidate, List<Double> steps, int step, String stepStartedAt,
                            String pausedPhase, Gates gates, ModelRef previous, String reason) {

    public static final String STABLE = "stable";
    public static final String SHADOW = "shadow";
    public static final String CANARY = "canary";
    public static final String PAUSED = "paused";
    public static final String PROMOTED = "promoted";
    public static final String ROLLED_BACK = "rolled-back";

    public RolloutStatus {
        steps = steps == null ? List.of() : List.copyOf(steps);
    }

    /** True while a candidate is being rolled out (shadow, canary or paused). */
    public boolean inProgress() {
        return SHADOW.equals(phase) || CANARY.equals(phase) || PAUSED.equals(phase);
    }
}
