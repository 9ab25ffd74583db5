package io.endostream.inference.rollout;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Following the gateway's control plane, prefix {@code endostream.control-plane}. Off by default: the instance then
 * serves the model of {@code endostream.inference.model.*} alone, as before. {@link #problems} names every bad value.
 */
@ConfigMapping(prefix = "endostream.control-plane")
public interface ControlPlaneConfig {

    /** Follow plans, models and assignments from the control topics. Default false. */
    @WithDefault("false")
    boolean enabled();

    /** Base URL of the gateway that serves model artifacts, e.g. {@code http://gateway:8082}. Required when enabled. */
    Optional<URI> gatewayUrl();

    /** Bearer token (role viewer) for artifact downloads. Never logged. No default. */
    Optional<String> token();

    /** The deployment whose plan this instance follows (the key on endostream.rollouts). Default {@code default}. */
    @WithDefault("default")
    String deployment();

    /** This instance's id in assignments and telemetry. Default: inference-host-pid. */
    Optional<String> instanceId();

    /** A stream idle for this long has ended (its version is no longer kept loaded for it). Default 10m. */
    @WithDefault("10m")
    Duration assignmentTtl();

    /** How often a live stream's assignment is re-written with a fresh lastSeenAt. Default 30s. */
    @WithDefault("30s")
    Duration touchInterval();

    /** How long a version that failed to fetch, verify or load waits before the next attempt. Default 30s. */
    @WithDefault("30s")
    Duration retryAfter();

    /**
     * At start-up, how long the frames consumer waits for the control topics to be read to their end and the latest
     * plan applied (so no frame is routed before its stream's sticky assignment is known). Past it, frames are taken
     * on what is known, with a warning. Default 30s.
     */
    @WithDefault("30s")
    Duration startupSyncTimeout();

    /** How often telemetry is published to endostream.telemetry. Default 5s. */
    @WithDefault("5s")
    Duration telemetryInterval();

    /** Where fetched artifacts are cached. Default {@code ${user.home}/.cache/endostream/control-models}: never a world-writable folder. */
    @WithDefault("${user.home}/.cache/endostream/control-models")
    Path cacheDir();

    @WithDefault("endostream.rollouts")
    String rolloutsTopic();

    @WithDefault("endostream.models")
    String modelsTopic();

    @WithDefault("endostream.assignments")
    String assignmentsTopic();

    @WithDefault("endostream.telemetry")
    String telemetryTopic();

    /** Every problem, naming its setting. */
    static List<String> problems(ControlPlaneConfig c) {
        List<String> problems = new ArrayList<>();
        String p = "endostream.control-plane.";
        if (!c.enabled()) {
            return problems;
        }
        if (c.gatewayUrl().isEmpty()) {
            problems.add(p + "gateway-url is required when " + p + "enabled=true");
        }
        for (var d : List.of(new Object[]{"assignment-ttl", c.assignmentTtl()}, new Object[]{"touch-interval",
                c.touchInterval()}, new Object[]{"retry-after", c.retryAfter()},
                new Object[]{"telemetry-interval", c.telemetryInterval()},
                new Object[]{"startup-sync-timeout", c.startupSyncTimeout()})) {
            Duration value = (Duration) d[1];
            if (value.isZero() || value.isNegative()) {
                problems.add(p + d[0] + " must be > 0, was " + value);
            }
        }
        if (c.touchInterval().compareTo(c.assignmentTtl()) >= 0) {
            problems.add(p + "touch-interval must be shorter than " + p + "assignment-ttl, was " + c.touchInterval()
                    + " >= " + c.assignmentTtl());
        }
        if (!c.deployment().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            problems.add(p + "deployment must be 1-128 letters, digits or . _ - starting with a letter or digit, was \""
                    + c.deployment() + "\"");
        }
        return problems;
    }
}
