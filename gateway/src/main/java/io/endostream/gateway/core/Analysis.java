package io.endostream.gateway.core;

import io.endostream.contracts.control.Gates;
import io.endostream.contracts.control.InstanceTelemetry.VersionStats;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Judges a rollout step from the telemetry window of the step: the candidate's figures against the gates, its p99
 * against the stable version's over the same window. Pure: tests drive it with any figures.
 */
public final class Analysis {

    private Analysis() {
    }

    public enum Outcome { PASS, FAIL, WAIT }

    /** The verdict, why, and the figures it was based on. */
    public record Verdict(Outcome outcome, String reason, Map<String, Object> figures) {
    }

    /**
     * @param gates     the step's gates
     * @param candidate the candidate's window (null = nothing seen)
     * @param stable    the stable version's window (null = nothing seen)
     * @param shadowOnly true in the shadow phase: judged on shadow frames only (no live traffic on the candidate)
     */
    public static Verdict evaluate(Gates gates, VersionStats candidate, VersionStats stable, boolean shadowOnly) {
        Map<String, Object> f = new LinkedHashMap<>();
        long frames = candidate == null ? 0 : candidate.frames();
        long shadowFrames = candidate == null ? 0 : candidate.shadowFrames();
        long failures = candidate == null ? 0 : candidate.deadLetters() + candidate.errors();
        f.put("candidateFrames", frames);
        f.put("shadowFrames", shadowFrames);
        f.put("failures", failures);
        double dice = shadowFrames == 0 ? Double.NaN : candidate.shadowDiceSum() / shadowFrames;
        double iou = shadowFrames == 0 ? Double.NaN : candidate.shadowIouSum() / shadowFrames;
        if (shadowFrames > 0) {
            f.put("shadowDice", round(dice));
            f.put("shadowIou", round(iou));
        }
        if (shadowOnly) {
            if (shadowFrames < gates.minShadowFrames()) {
                return new Verdict(Outcome.WAIT, "waiting for " + gates.minShadowFrames() + " shadow frames, have "
                        + shadowFrames, f);
            }
            long errors = candidate.errors();
            double errorRate = (double) errors / (shadowFrames + errors);
            f.put("errorRate", round(errorRate));
            if (errorRate > gates.maxErrorRate()) {
                return fail("errorRate", errorRate, ">", gates.maxErrorRate(), shadowFrames + " shadow frames", f);
            }
            return agreement(gates, dice, iou, shadowFrames, f, "shadow");
        }
        if (frames < gates.minFrames()) {
            return new Verdict(Outcome.WAIT, "waiting for " + gates.minFrames() + " candidate frames, have " + frames, f);
        }
        double errorRate = (double) failures / frames;
        f.put("errorRate", round(errorRate));
        if (errorRate > gates.maxErrorRate()) {
            return fail("errorRate", errorRate, ">", gates.maxErrorRate(), frames + " frames", f);
        }
        double p99 = candidate.latencyQuantileMs(0.99);
        f.put("p99Ms", p99);
        if (gates.maxP99Ms() > 0 && p99 > gates.maxP99Ms()) {
            return fail("p99Ms", p99, ">", gates.maxP99Ms(), frames + " frames", f);
        }
        if (gates.maxP99Ratio() > 0 && stable != null && stable.frames() >= gates.minFrames()) {
            double stableP99 = stable.latencyQuantileMs(0.99);
            double ratio = p99 / stableP99;
            f.put("stableP99Ms", stableP99);
            f.put("p99Ratio", round(ratio));
            if (ratio > gates.maxP99Ratio()) {
                return fail("p99Ratio", ratio, ">", gates.maxP99Ratio(), frames + " frames", f);
            }
        }
        if (shadowFrames >= gates.minShadowFrames()) {
            return agreement(gates, dice, iou, shadowFrames, f, "canary");
        }
        return new Verdict(Outcome.PASS, "gates passed over " + frames + " candidate frames", f);
    }

    private static Verdict agreement(Gates gates, double dice, double iou, long shadowFrames, Map<String, Object> f,
                                     String phase) {
        if (gates.minShadowDice() > 0 && dice < gates.minShadowDice()) {
            return fail("shadowDice", dice, "<", gates.minShadowDice(), shadowFrames + " shadow frames", f);
        }
        if (gates.minShadowIou() > 0 && iou < gates.minShadowIou()) {
            return fail("shadowIou", iou, "<", gates.minShadowIou(), shadowFrames + " shadow frames", f);
        }
        return new Verdict(Outcome.PASS, phase + " gates passed over " + shadowFrames + " shadow frames", f);
    }

    private static Verdict fail(String gate, double value, String op, double limit, String sample,
                                Map<String, Object> f) {
        return new Verdict(Outcome.FAIL, "gate " + gate + " failed: " + round(value) + " " + op + " " + limit
                + " over " + sample, f);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : v;
    }
}
