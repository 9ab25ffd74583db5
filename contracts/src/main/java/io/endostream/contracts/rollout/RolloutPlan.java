package io.endostream.contracts.rollout;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.endostream.contracts.control.RolloutStatus;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.endostream.contracts.Json;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which model version serves which stream; written by the gateway to the compacted {@code endostream.rollouts} topic,
 * followed by every inference instance. {@link StreamRouter#route} applies it to a stream.
 *
 * @param revision      increases with every change; a follower ignores a plan older than the one it has
 * @param stable        the version serving every stream not pinned or in the canary
 * @param canary        candidate version taking {@code canaryPercent} of streams, or null
 * @param canaryPercent 0..100, in steps of 0.01 (one hash bucket)
 * @param pins          stream id to version; wins over everything (keeps a stream on its version: stickiness)
 * @param shadow        version run on a copy of some streams' frames, masks to the shadow topic, or null
 * @param shadowPercent 0..100 of streams shadowed
 * @param shadowStreams streams shadowed in addition to the percentage
 * @param updatedAt     RFC 3339 time of the change
 * @param updatedBy     who or what made the change (operator, analysis step)
 * @param deployment    the deployment (input topic to output topic) this plan is for, also the record key on
 *                      {@code endostream.rollouts}; null means {@value #DEFAULT_DEPLOYMENT}
 * @param rolledBack    versions rolled back in this deployment: a stream assigned to one of them is moved by the
 *                      next frame (see {@link StickyRouter}); empty when none
 * @param status        the gateway's rollout state (phase, steps, gates); informational for followers, which
 *                      route by the fields above only; null when not written by a gateway
 */
@JsonPropertyOrder({"revision", "stable", "canary", "canaryPercent", "pins", "shadow", "shadowPercent",
        "shadowStreams", "updatedAt", "updatedBy", "deployment", "rolledBack", "status"})
public record RolloutPlan(long revision, ModelRef stable, ModelRef canary, double canaryPercent,
                          Map<String, ModelRef> pins, ModelRef shadow, double shadowPercent, Set<String> shadowStreams,
                          String updatedAt, String updatedBy, String deployment,
                          @JsonInclude(JsonInclude.Include.NON_EMPTY) Set<ModelRef> rolledBack,
                          RolloutStatus status) {

    /** The deployment a plan without {@code deployment} belongs to. */
    public static final String DEFAULT_DEPLOYMENT = "default";

    public RolloutPlan {
        // sorted copies: deterministic JSON, immutable plan
        pins = pins == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(pins));
        shadowStreams = shadowStreams == null ? Set.of() : Collections.unmodifiableSet(new TreeSet<>(shadowStreams));
        if (rolledBack == null) {
            rolledBack = Set.of();
        } else {
            TreeSet<ModelRef> sorted = new TreeSet<>(java.util.Comparator.comparing(ModelRef::toString));
            sorted.addAll(rolledBack);
            rolledBack = Collections.unmodifiableSet(new java.util.LinkedHashSet<>(sorted));
        }
    }

    /** The plan as the first contract version had it: default deployment, nothing rolled back, no status. */
    public RolloutPlan(long revision, ModelRef stable, ModelRef canary, double canaryPercent,
                       Map<String, ModelRef> pins, ModelRef shadow, double shadowPercent, Set<String> shadowStreams,
                       String updatedAt, String updatedBy) {
        this(revision, stable, canary, canaryPercent, pins, shadow, shadowPercent, shadowStreams, updatedAt,
                updatedBy, null, null, null);
    }

    /** A plan where {@code stable} serves everything. */
    public static RolloutPlan allOn(ModelRef stable, long revision, String updatedAt, String updatedBy) {
        return new RolloutPlan(revision, stable, null, 0, Map.of(), null, 0, Set.of(), updatedAt, updatedBy);
    }

    /** {@link #deployment()}, or {@value #DEFAULT_DEPLOYMENT} when absent. */
    @JsonIgnore
    public String deploymentName() {
        return deployment == null || deployment.isBlank() ? DEFAULT_DEPLOYMENT : deployment;
    }

    /** True when this plan should replace {@code current} at a follower: no current plan, or a higher revision. */
    public boolean isNewerThan(RolloutPlan current) {
        return current == null || revision > current.revision;
    }

    /** Parses plan JSON. Does not validate. */
    public static RolloutPlan fromJson(byte[] json) {
        try {
            RolloutPlan plan = Json.mapper().readValue(json, RolloutPlan.class);
            if (plan == null) {
                throw new InvalidRolloutPlanException("rollout plan", List.of("the document is empty or null"));
            }
            return plan;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new InvalidRolloutPlanException("rollout plan",
                    List.of("not valid rollout plan JSON" + where + ": " + e.getOriginalMessage()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read rollout plan JSON from memory", e);
        }
    }

    /** Parses plan JSON. Does not validate. */
    public static RolloutPlan fromJson(String json) {
        return fromJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Compact UTF-8 JSON, the record value on {@code endostream.rollouts}. */
    public byte[] toJsonBytes() {
        try {
            return Json.mapper().writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write rollout plan JSON", e);
        }
    }

    /** Pretty-printed JSON. */
    public String toJson() {
        try {
            return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write rollout plan JSON", e);
        }
    }

    /**
     * Checks every field and reports all problems at once.
     *
     * @return this plan, when valid
     * @throws InvalidRolloutPlanException listing each problem with its field path
     */
    public RolloutPlan validate() {
        List<String> problems = new ArrayList<>();
        if (revision < 0) {
            problems.add("revision must be >= 0, was " + revision);
        }
        if (stable == null) {
            problems.add("stable is required");
        } else {
            checkRef(problems, "stable", stable);
        }
        checkPercent(problems, "canaryPercent", canaryPercent);
        if (canary != null) {
            checkRef(problems, "canary", canary);
            if (canary.equals(stable)) {
                problems.add("canary must differ from stable, both are " + stable);
            }
        } else if (canaryPercent != 0) {
            problems.add("canaryPercent must be 0 when canary is null, was " + canaryPercent);
        }
        pins.forEach((stream, ref) -> {
            if (stream == null || stream.isBlank()) {
                problems.add("pins has a blank stream id");
            }
            if (ref == null) {
                problems.add("pins[" + stream + "] is null");
            } else {
                checkRef(problems, "pins[" + stream + "]", ref);
            }
        });
        checkPercent(problems, "shadowPercent", shadowPercent);
        if (shadow != null) {
            checkRef(problems, "shadow", shadow);
        } else {
            if (shadowPercent != 0) {
                problems.add("shadowPercent must be 0 when shadow is null, was " + shadowPercent);
            }
            if (!shadowStreams.isEmpty()) {
                problems.add("shadowStreams must be empty when shadow is null, was " + shadowStreams);
            }
        }
        for (String stream : shadowStreams) {
            if (stream == null || stream.isBlank()) {
                problems.add("shadowStreams has a blank stream id");
            }
        }
        if (deployment != null && !DEPLOYMENT.matcher(deployment).matches()) {
            problems.add("deployment must be 1-128 letters, digits or . _ - starting with a letter or digit, was \""
                    + deployment + "\"");
        }
        for (ModelRef ref : rolledBack) {
            if (ref == null) {
                problems.add("rolledBack has a null entry");
            } else {
                checkRef(problems, "rolledBack[" + ref + "]", ref);
                if (ref.equals(stable)) {
                    problems.add("rolledBack must not contain the stable version " + ref);
                }
                if (ref.equals(canary)) {
                    problems.add("rolledBack must not contain the canary " + ref);
                }
            }
        }
        if (updatedAt != null) {
            try {
                OffsetDateTime.parse(updatedAt);
            } catch (DateTimeParseException e) {
                problems.add("updatedAt must be an RFC 3339 time such as 2026-11-27T08:00:00Z, was \"" + updatedAt + "\"");
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRolloutPlanException("rollout plan revision " + revision, problems);
        }
        return this;
    }

    private static final java.util.regex.Pattern DEPLOYMENT = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private static void checkPercent(List<String> problems, String field, double value) {
        if (!(value >= 0 && value <= 100)) {
            problems.add(field + " must be within 0..100, was " + value);
        }
    }

    private static void checkRef(List<String> problems, String field, ModelRef ref) {
        if (ref.name() == null || ref.name().isBlank()) {
            problems.add(field + ".name must not be blank");
        }
        if (ref.version() == null || ref.version().isBlank()) {
            problems.add(field + ".version must not be blank");
        }
    }
}
