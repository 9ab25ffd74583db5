package io.endostream.inference.shadow;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The shadow path's budget, prefix {@code endostream.shadow}. Which streams are shadowed by which version is the
 * rollout plan's business (gateway); this only bounds what one instance spends on it. The shadow topic is the
 * SmallRye channel setting {@code mp.messaging.outgoing.shadow-masks.topic} (default {@code endoscopy.masks.shadow}).
 * {@link #problems} names every bad value.
 */
@ConfigMapping(prefix = "endostream.shadow")
public interface ShadowConfig {

    /** Shadow frames accepted and not yet finished; more are dropped and counted. 0 = shadow off. Default 4. */
    @WithDefault("4")
    int maxQueued();

    /** Largest share of wall-clock time the shadow thread may be busy, (0, 1]. Default 0.5. */
    @WithDefault("0.5")
    double maxShare();

    /**
     * A frame that waited longer than this for a codec thread is not shadowed (dropped, {@code primary-behind}): the
     * CPU is behind the primary path and shadow work would add to it. Default 20ms.
     */
    @WithDefault("20ms")
    Duration maxPrimaryWait();

    /** A failing candidate is logged at most once per this interval (every failure is counted). Default 1m. */
    @WithDefault("1m")
    Duration failureLogInterval();

    /** Every problem, naming its setting. */
    static List<String> problems(ShadowConfig c) {
        List<String> problems = new ArrayList<>();
        String p = "endostream.shadow.";
        if (c.maxQueued() < 0 || c.maxQueued() > 1024) {
            problems.add(p + "max-queued must be 0..1024, was " + c.maxQueued());
        }
        if (!(c.maxShare() > 0 && c.maxShare() <= 1)) {
            problems.add(p + "max-share must be > 0 and <= 1, was " + c.maxShare());
        }
        if (c.maxPrimaryWait().isNegative()) {
            problems.add(p + "max-primary-wait must be >= 0, was " + c.maxPrimaryWait());
        }
        if (c.failureLogInterval().isNegative()) {
            problems.add(p + "failure-log-interval must be >= 0, was " + c.failureLogInterval());
        }
        return problems;
    }
}
