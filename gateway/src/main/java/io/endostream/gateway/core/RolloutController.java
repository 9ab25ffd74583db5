package io.endostream.gateway.core;

import io.endostream.contracts.control.AuditEntry;
import io.endostream.contracts.control.ControlJson;
import io.endostream.contracts.control.Gates;
import io.endostream.contracts.control.InstanceTelemetry;
import io.endostream.contracts.control.InstanceTelemetry.VersionStats;
import io.endostream.contracts.control.ModelVersionRecord;
import io.endostream.contracts.control.RolloutStatus;
import io.endostream.contracts.rollout.ModelRef;
import io.endostream.contracts.rollout.RolloutPlan;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The rollout state machine, one per gateway, for every deployment. Per deployment: one stable version and at most
 * one candidate, in phase {@code shadow} (copies only), {@code canary} (a share of new streams per step) or
 * {@code paused}. {@link #tick} runs the analysis: a step whose gates pass advances (the last one promotes), a step
 * whose gate fails rolls back. Operators promote, pause, resume, abort and pin by hand. Every decision is written
 * with its audit entry in one transaction; nothing changes in memory unless the write succeeded.
 */
public final class RolloutController {

    /** The actor of automatic decisions in the audit log. */
    public static final String ANALYSIS = "gateway/analysis";

    private static final Pattern DEPLOYMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** Defaults for rollouts that do not say otherwise. */
    public record Settings(List<Double> defaultSteps, Gates defaultGates) {
    }

    /**
     * A request to start a rollout.
     *
     * @param candidate     {@code name:version} of a registered, active version
     * @param steps         canary shares in percent (ascending, last 100); default from settings
     * @param shadowPercent share of streams whose frames the candidate also runs on as a shadow; default 0
     * @param shadowStreams streams shadowed in addition
     * @param shadowFirst   start in the shadow phase (candidate takes no live stream until its shadow gates pass)
     * @param gates         analysis gates; default from settings
     * @param reason        why (audit)
     */
    public record StartRequest(String candidate, List<Double> steps, Double shadowPercent, Set<String> shadowStreams,
                               Boolean shadowFirst, Gates gates, String reason) {
    }

    private final Map<String, RolloutPlan> plans = new ConcurrentHashMap<>();
    private final Map<String, Map<String, InstanceTelemetry>> baselines = new ConcurrentHashMap<>();
    private final Registry registry;
    private final ControlLog log;
    private final TopicNames topics;
    private final AuditLog audit;
    private final TelemetryView telemetry;
    private final Clock clock;
    private final Settings settings;

    public RolloutController(Registry registry, ControlLog log, TopicNames topics, AuditLog audit,
                             TelemetryView telemetry, Clock clock, Settings settings) {
        this.registry = registry;
        this.log = log;
        this.topics = topics;
        this.audit = audit;
        this.telemetry = telemetry;
        this.clock = clock;
        this.settings = settings;
    }

    /** Applies a record of the rollouts topic (rebuild): the plan is kept when it is newer than the one held. */
    public void apply(String deployment, byte[] value) {
        if (value == null) {
            plans.remove(deployment);
            return;
        }
        RolloutPlan plan = RolloutPlan.fromJson(value);
        plans.merge(deployment, plan, (held, next) -> next.isNewerThan(held) ? next : held);
    }

    public RolloutPlan plan(String deployment) {
        RolloutPlan plan = plans.get(deployment);
        if (plan == null) {
            throw ApiException.notFound("deployment " + deployment + " has no plan: set its stable version first "
                    + "(PUT /api/deployments/" + deployment + "/stable)");
        }
        return plan;
    }

    public Map<String, RolloutPlan> plans() {
        return new TreeMap<>(plans);
    }

    // ---- operator actions ------------------------------------------------------------------------------------

    /** Sets the stable version (creates the deployment). Refused while a rollout is in progress. */
    public synchronized RolloutPlan setStable(String deployment, String model, String who, String reason) {
        checkDeployment(deployment);
        ModelRef ref = activeVersion("model", model);
        RolloutPlan current = plans.get(deployment);
        if (current != null && inProgress(current)) {
            throw ApiException.conflict("model", "deployment " + deployment + " has a rollout of "
                    + current.status().candidate() + " in progress: promote or abort it first");
        }
        Set<ModelRef> rolledBack = current == null ? Set.of() : without(current.rolledBack(), ref);
        Map<String, ModelRef> pins = current == null ? Map.of() : current.pins();
        RolloutStatus status = new RolloutStatus(RolloutStatus.STABLE, null, List.of(), -1, now(), null, null,
                current == null ? null : current.stable(), text(reason, "stable set to " + ref));
        RolloutPlan next = new RolloutPlan(revision(current), ref, null, 0, pins, null, 0, Set.of(), now(), who,
                deployment, rolledBack, status);
        return write(next, who, "set-stable", status.reason(), Map.of("stable", ref.toString()));
    }

    /** Starts rolling {@code request.candidate} out, in shadow or at the first canary step. */
    public synchronized RolloutPlan start(String deployment, StartRequest request, String who) {
        RolloutPlan current = plan(deployment);
        if (request == null) {
            throw ApiException.badRequest("candidate", "a JSON body with candidate is required");
        }
        if (inProgress(current)) {
            throw ApiException.conflict("candidate", "deployment " + deployment + " already rolls out "
                    + current.status().candidate() + ": promote or abort it first");
        }
        ModelRef candidate = activeVersion("candidate", request.candidate());
        if (candidate.equals(current.stable())) {
            throw ApiException.badRequest("candidate", "candidate " + candidate + " is already the stable version");
        }
        List<Double> steps = request.steps() == null || request.steps().isEmpty() ? settings.defaultSteps()
                : request.steps();
        checkSteps(steps);
        double shadowPercent = request.shadowPercent() == null ? 0 : request.shadowPercent();
        if (!(shadowPercent >= 0 && shadowPercent <= 100)) {
            throw ApiException.badRequest("shadowPercent", "shadowPercent must be within 0..100, was " + shadowPercent);
        }
        Set<String> shadowStreams = request.shadowStreams() == null ? Set.of() : request.shadowStreams();
        for (String s : shadowStreams) {
            if (s == null || s.isBlank()) {
                throw ApiException.badRequest("shadowStreams", "shadowStreams has a blank stream id");
            }
        }
        boolean shadowing = shadowPercent > 0 || !shadowStreams.isEmpty();
        boolean shadowFirst = Boolean.TRUE.equals(request.shadowFirst());
        if (shadowFirst && !shadowing) {
            throw ApiException.badRequest("shadowFirst", "shadowFirst needs shadowPercent > 0 or shadowStreams");
        }
        Gates gates = request.gates() == null ? settings.defaultGates() : request.gates();
        List<String> problems = gates.problems();
        if (!problems.isEmpty()) {
            String first = problems.get(0);
            throw ApiException.badRequest(first.substring(0, first.indexOf(' ')), String.join("; ", problems));
        }
        String phase = shadowFirst ? RolloutStatus.SHADOW : RolloutStatus.CANARY;
        int step = shadowFirst ? -1 : 0;
        String reason = text(request.reason(), "rollout of " + candidate + " started");
        RolloutStatus status = new RolloutStatus(phase, candidate, steps, step, now(), null, gates, null, reason);
        RolloutPlan next = new RolloutPlan(current.revision() + 1, current.stable(), shadowFirst ? null : candidate,
                shadowFirst ? 0 : steps.get(0), current.pins(), shadowing ? candidate : null, shadowPercent,
                shadowStreams, now(), who, deployment, without(current.rolledBack(), candidate), status);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("candidate", candidate.toString());
        figures.put("stable", current.stable().toString());
        figures.put("phase", phase);
        figures.put("canaryPercent", next.canaryPercent());
        figures.put("shadowPercent", shadowPercent);
        return newStep(write(next, who, "start", reason, figures));
    }

    /** Makes the candidate stable now. Streams on the old stable version stay on it until they end. */
    public synchronized RolloutPlan promote(String deployment, String who, String reason) {
        RolloutPlan current = requireInProgress(deployment);
        return promote(current, who, "promote", text(reason, "promoted by hand"), Map.of());
    }

    public synchronized RolloutPlan pause(String deployment, String who, String reason) {
        RolloutPlan current = requireInProgress(deployment);
        RolloutStatus s = current.status();
        if (RolloutStatus.PAUSED.equals(s.phase())) {
            throw ApiException.conflict(null, "the rollout of " + s.candidate() + " is already paused");
        }
        String why = text(reason, "paused by hand");
        RolloutStatus status = new RolloutStatus(RolloutStatus.PAUSED, s.candidate(), s.steps(), s.step(),
                s.stepStartedAt(), s.phase(), s.gates(), s.previous(), why);
        return write(copy(current, current.canary(), current.canaryPercent(), who, status), who, "pause", why,
                Map.of("phase", s.phase(), "step", s.step()));
    }

    public synchronized RolloutPlan resume(String deployment, String who, String reason) {
        RolloutPlan current = requireInProgress(deployment);
        RolloutStatus s = current.status();
        if (!RolloutStatus.PAUSED.equals(s.phase())) {
            throw ApiException.conflict(null, "the rollout of " + s.candidate() + " is not paused (phase " + s.phase() + ")");
        }
        String why = text(reason, "resumed by hand; the step's analysis sample starts again");
        RolloutStatus status = new RolloutStatus(s.pausedPhase(), s.candidate(), s.steps(), s.step(), now(), null,
                s.gates(), s.previous(), why);
        return newStep(write(copy(current, current.canary(), current.canaryPercent(), who, status), who, "resume", why,
                Map.of("phase", s.pausedPhase(), "step", s.step())));
    }

    /** Rolls the candidate back by hand. */
    public synchronized RolloutPlan abort(String deployment, String who, String reason) {
        RolloutPlan current = requireInProgress(deployment);
        return rollback(current, who, "abort", text(reason, "aborted by hand"), Map.of());
    }

    /** Pins a stream to a registered version: it moves there on its next frame and stays. */
    public synchronized RolloutPlan pin(String deployment, String stream, String model, String who, String reason) {
        RolloutPlan current = plan(deployment);
        if (stream == null || stream.isBlank()) {
            throw ApiException.badRequest("stream", "stream must not be blank");
        }
        ModelRef ref = parseRef("model", model);
        if (registry.get(ref) == null) {
            throw ApiException.badRequest("model", "model " + ref + " is not registered");
        }
        if (current.rolledBack().contains(ref)) {
            throw ApiException.badRequest("model", "model " + ref + " was rolled back in " + deployment);
        }
        Map<String, ModelRef> pins = new HashMap<>(current.pins());
        pins.put(stream, ref);
        String why = text(reason, "stream " + stream + " pinned to " + ref);
        RolloutPlan next = new RolloutPlan(current.revision() + 1, current.stable(), current.canary(),
                current.canaryPercent(), pins, current.shadow(), current.shadowPercent(), current.shadowStreams(), now(),
                who, deployment, current.rolledBack(), current.status());
        return write(next, who, "pin", why, Map.of("stream", stream, "model", ref.toString()));
    }

    /** Removes a pin; the stream stays on the version the pin moved it to until it ends. */
    public synchronized RolloutPlan unpin(String deployment, String stream, String who, String reason) {
        RolloutPlan current = plan(deployment);
        if (!current.pins().containsKey(stream)) {
            throw ApiException.notFound("stream " + stream + " is not pinned in " + deployment);
        }
        Map<String, ModelRef> pins = new HashMap<>(current.pins());
        pins.remove(stream);
        String why = text(reason, "stream " + stream + " unpinned");
        RolloutPlan next = new RolloutPlan(current.revision() + 1, current.stable(), current.canary(),
                current.canaryPercent(), pins, current.shadow(), current.shadowPercent(), current.shadowStreams(), now(),
                who, deployment, current.rolledBack(), current.status());
        return write(next, who, "unpin", why, Map.of("stream", stream));
    }

    // ---- analysis --------------------------------------------------------------------------------------------

    /** Runs the analysis of every deployment in shadow or canary; returns the decisions taken (audit entries). */
    public synchronized List<String> tick() {
        List<String> decisions = new ArrayList<>();
        for (String deployment : List.copyOf(plans.keySet())) {
            RolloutPlan plan = plans.get(deployment);
            RolloutStatus s = plan.status();
            if (s == null || !(RolloutStatus.SHADOW.equals(s.phase()) || RolloutStatus.CANARY.equals(s.phase()))) {
                continue;
            }
            Map<String, InstanceTelemetry> baseline = baselines.get(deployment);
            if (baseline == null) {
                // after a gateway restart: the step's sample starts again from what the instances report now
                baselines.put(deployment, telemetry.snapshot());
                continue;
            }
            Analysis.Verdict verdict = verdict(plan, baseline);
            switch (verdict.outcome()) {
                case WAIT -> {
                }
                case FAIL -> {
                    rollback(plan, ANALYSIS, "rollback", verdict.reason(), verdict.figures());
                    decisions.add(deployment + ": rollback: " + verdict.reason());
                }
                case PASS -> {
                    advance(plan, verdict);
                    decisions.add(deployment + ": " + verdict.reason());
                }
            }
        }
        return decisions;
    }

    /** The current analysis of a deployment, without acting on it. */
    public Map<String, Object> analysis(String deployment) {
        RolloutPlan plan = plan(deployment);
        Map<String, Object> out = new LinkedHashMap<>();
        RolloutStatus s = plan.status();
        out.put("deployment", deployment);
        out.put("revision", plan.revision());
        out.put("phase", s == null ? RolloutStatus.STABLE : s.phase());
        out.put("stable", plan.stable().toString());
        if (s != null && s.candidate() != null && inProgress(plan)) {
            out.put("candidate", s.candidate().toString());
            out.put("step", s.step());
            out.put("stepStartedAt", s.stepStartedAt());
            Map<String, InstanceTelemetry> baseline = baselines.getOrDefault(deployment, Map.of());
            Analysis.Verdict v = verdict(plan, baseline);
            out.put("verdict", v.outcome().name().toLowerCase());
            out.put("reason", v.reason());
            out.put("figures", v.figures());
            out.put("gates", s.gates());
        }
        out.put("instances", telemetry.instances().size());
        return out;
    }

    private Analysis.Verdict verdict(RolloutPlan plan, Map<String, InstanceTelemetry> baseline) {
        RolloutStatus s = plan.status();
        Map<ModelRef, VersionStats> window = telemetry.window(baseline);
        return Analysis.evaluate(s.gates(), window.get(s.candidate()), window.get(plan.stable()),
                RolloutStatus.SHADOW.equals(s.phase()) || (RolloutStatus.PAUSED.equals(s.phase())
                        && RolloutStatus.SHADOW.equals(s.pausedPhase())));
    }

    private void advance(RolloutPlan plan, Analysis.Verdict verdict) {
        RolloutStatus s = plan.status();
        int nextStep = s.step() + 1;
        if (nextStep >= s.steps().size()) {
            promote(plan, ANALYSIS, "promote", verdict.reason() + " at the last step ("
                    + s.steps().get(s.step()) + "%)", verdict.figures());
            return;
        }
        double share = s.steps().get(nextStep);
        String why = verdict.reason() + "; canary now takes " + share + "% of new streams";
        RolloutStatus status = new RolloutStatus(RolloutStatus.CANARY, s.candidate(), s.steps(), nextStep, now(), null,
                s.gates(), s.previous(), why);
        Map<String, Object> figures = new LinkedHashMap<>(verdict.figures());
        figures.put("canaryPercent", share);
        newStep(write(copy(plan, s.candidate(), share, ANALYSIS, status), ANALYSIS, "step", why, figures));
    }

    private RolloutPlan promote(RolloutPlan current, String who, String action, String reason,
                                Map<String, Object> figures) {
        RolloutStatus s = current.status();
        ModelRef candidate = s.candidate();
        Map<String, ModelRef> pins = current.pins();
        RolloutStatus status = new RolloutStatus(RolloutStatus.PROMOTED, candidate, s.steps(), s.step(), now(), null,
                s.gates(), current.stable(), reason);
        RolloutPlan next = new RolloutPlan(current.revision() + 1, candidate, null, 0, pins, null, 0, Set.of(), now(),
                who, current.deploymentName(), without(current.rolledBack(), candidate), status);
        Map<String, Object> f = new LinkedHashMap<>(figures);
        f.put("stable", candidate.toString());
        f.put("previous", current.stable().toString());
        baselines.remove(current.deploymentName());
        return write(next, who, action, reason, f);
    }

    private RolloutPlan rollback(RolloutPlan current, String who, String action, String reason,
                                 Map<String, Object> figures) {
        RolloutStatus s = current.status();
        ModelRef candidate = s.candidate();
        Map<String, ModelRef> pins = new HashMap<>();
        current.pins().forEach((stream, ref) -> {
            if (!ref.equals(candidate)) {
                pins.put(stream, ref);
            }
        });
        Set<ModelRef> rolledBack = new HashSet<>(current.rolledBack());
        rolledBack.add(candidate);
        RolloutStatus status = new RolloutStatus(RolloutStatus.ROLLED_BACK, candidate, s.steps(), s.step(), now(), null,
                s.gates(), null, reason);
        RolloutPlan next = new RolloutPlan(current.revision() + 1, current.stable(), null, 0, pins, null, 0, Set.of(),
                now(), who, current.deploymentName(), rolledBack, status);
        Map<String, Object> f = new LinkedHashMap<>(figures);
        f.put("candidate", candidate.toString());
        f.put("stable", current.stable().toString());
        baselines.remove(current.deploymentName());
        return write(next, who, action, reason, f);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private RolloutPlan write(RolloutPlan next, String who, String action, String reason, Map<String, Object> figures) {
        next.validate();
        String deployment = next.deploymentName();
        AuditEntry entry = new AuditEntry(next.updatedAt(), deployment, who, action, reason, next.revision(), figures);
        log.commit(List.of(new ControlWrite(topics.rollouts(), deployment, next.toJsonBytes()),
                new ControlWrite(topics.audit(), deployment, ControlJson.write(entry))));
        plans.put(deployment, next);
        audit.add(entry);
        return next;
    }

    private RolloutPlan newStep(RolloutPlan plan) {
        baselines.put(plan.deploymentName(), telemetry.snapshot());
        return plan;
    }

    private RolloutPlan copy(RolloutPlan p, ModelRef canary, double canaryPercent, String who,
                                    RolloutStatus status) {
        return new RolloutPlan(p.revision() + 1, p.stable(), canary, canaryPercent, p.pins(), p.shadow(),
                p.shadowPercent(), p.shadowStreams(), now(), who, p.deploymentName(), p.rolledBack(),
                status);
    }

    private RolloutPlan requireInProgress(String deployment) {
        RolloutPlan current = plan(deployment);
        if (!inProgress(current)) {
            throw ApiException.conflict(null, "deployment " + deployment + " has no rollout in progress");
        }
        return current;
    }

    private static boolean inProgress(RolloutPlan plan) {
        return plan.status() != null && plan.status().inProgress();
    }

    private ModelRef activeVersion(String field, String text) {
        ModelRef ref = parseRef(field, text);
        ModelVersionRecord record = registry.get(ref);
        if (record == null) {
            throw ApiException.badRequest(field, field + " " + ref + " is not registered");
        }
        if (record.deprecated()) {
            throw ApiException.badRequest(field, field + " " + ref + " is deprecated (" + record.deprecationReason() + ")");
        }
        return ref;
    }

    private static ModelRef parseRef(String field, String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest(field, field + " is required, as name:version");
        }
        try {
            return ModelRef.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, field + " must be name:version, was \"" + text + "\"");
        }
    }

    private static void checkDeployment(String deployment) {
        if (deployment == null || !DEPLOYMENT.matcher(deployment).matches()) {
            throw ApiException.badRequest("deployment", "deployment must be 1-128 letters, digits or . _ - starting "
                    + "with a letter or digit, was \"" + deployment + "\"");
        }
    }

    private static void checkSteps(List<Double> steps) {
        double previous = 0;
        for (Double step : steps) {
            if (step == null || !(step > previous) || step > 100) {
                throw ApiException.badRequest("steps", "steps must be ascending shares within (0, 100], was " + steps);
            }
            previous = step;
        }
        if (previous != 100) {
            throw ApiException.badRequest("steps", "steps must end at 100 (the candidate takes every new stream "
                    + "before it is promoted), was " + steps);
        }
    }

    private static Set<ModelRef> without(Set<ModelRef> set, ModelRef ref) {
        Set<ModelRef> out = new HashSet<>(set);
        out.remove(ref);
        return out;
    }

    private static long revision(RolloutPlan current) {
        return current == null ? 1 : current.revision() + 1;
    }

    private String now() {
        return clock.instant().toString();
    }

    private static String text(String given, String otherwise) {
        return given == null || given.isBlank() ? otherwise : given;
    }
}
