package io.endostream.contracts.control;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;

/**
 * The analysis gates of a rollout step. A step is judged only once the candidate has {@code minFrames} frames in
 * the step (and, for shadow gates, {@code minShadowFrames} compared frames); before that the verdict is "wait".
 * A value of 0 for an optional limit switches that gate off.
 *
 * @param minFrames         candidate frames (masks + dead letters + errors) needed before judging; default 200
 * @param maxErrorRate      (dead letters + errors) / frames of the candidate, at most; default 0.01
 * @param maxP99Ms          candidate end-to-end p99 in ms, at most; 0 = off; default 0
 * @param maxP99Ratio       candidate p99 / stable p99 over the same step, at most; 0 = off; default 1.5
 * @param minShadowFrames   shadow-compared frames needed before the agreement gates are judged; default 100
 * @param minShadowDice     mean Dice of candidate masks against stable masks, at least; 0 = off; default 0.7
 * @param minShadowIou      mean IoU of candidate masks against stable masks, at least; 0 = off; default 0
 */
@JsonPropertyOrder({"minFrames", "maxErrorRate", "maxP99Ms", "maxP99Ratio", "minShadowFrames", "minShadowDice",
        "minShadowIou"})
public record Gates(long minFrames, double maxErrorRate, double maxP99Ms, double maxP99Ratio, long minShadowFrames,
                    double minShadowDice, double minShadowIou) {

    public static final Gates DEFAULTS = new Gates(200, 0.01, 0, 1.5, 100, 0.7, 0);

    /** Every problem, each naming its field ({@code gates.} prefixed). */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (minFrames < 1) {
            problems.add("gates.minFrames must be >= 1, was " + minFrames);
        }
        if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
            problems.add("gates.maxErrorRate must be within 0..1, was " + maxErrorRate);
        }
        if (!(maxP99Ms >= 0) || Double.isInfinite(maxP99Ms)) {
            problems.add("gates.maxP99Ms must be >= 0 (0 = off), was " + maxP99Ms);
        }
        if (!(maxP99Ratio >= 0) || Double.isInfinite(maxP99Ratio)) {
            problems.add("gates.maxP99Ratio must be >= 0 (0 = off), was " + maxP99Ratio);
        }
        if (minShadowFrames < 1) {
            problems.add("gates.minShadowFrames must be >= 1, was " + minShadowFrames);
        }
        if (!(minShadowDice >= 0 && minShadowDice <= 1)) {
            problems.add("gates.minShadowDice must be within 0..1 (0 = off), was " + minShadowDice);
        }
        if (!(minShadowIou >= 0 && minShadowIou <= 1)) {
            problems.add("gates.minShadowIou must be within 0..1 (0 = off), was " + minShadowIou);
        }
        return problems;
    }
}
