package io.endostream.gateway.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting of the gateway, prefix {@code endostream.gateway}; defaults in the annotations and in the README.
 * {@link GatewayConfigCheck} refuses bad values at start-up, naming the setting. The broker is Quarkus's
 * {@code kafka.bootstrap.servers}; the JWT public key is {@code mp.jwt.verify.publickey.location}.
 */
@ConfigMapping(prefix = "endostream.gateway")
public interface GatewayConfig {

    Store store();

    Kafka kafka();

    Analysis analysis();

    Assignments assignments();

    Rollout rollout();

    Gates gates();

    interface Store {
        /** Folder of the content-addressed artifact store. Default {@code data/artifacts} (relative to the working dir). */
        @WithDefault("data/artifacts")
        Path dir();
    }

    interface Kafka {
        /** Fixed transactional id of the single writer: a second gateway with the same id fences the first. */
        @WithDefault("endostream-gateway")
        String transactionalId();

        /** Create the control topics when missing. Default true. */
        @WithDefault("true")
        boolean createTopics();

        /** How long the start-up rebuild may take to read the control topics to their end. Default 60s. */
        @WithDefault("60s")
        Duration rebuildTimeout();

        @WithDefault("endostream.models")
        String modelsTopic();

        @WithDefault("endostream.rollouts")
        String rolloutsTopic();

        @WithDefault("endostream.assignments")
        String assignmentsTopic();

        @WithDefault("endostream.telemetry")
        String telemetryTopic();

        @WithDefault("endostream.audit")
        String auditTopic();
    }

    interface Analysis {
        /** How often rollouts in progress are judged against their gates. Default 5s. */
        @WithDefault("5s")
        Duration interval();
    }

    interface Assignments {
        /** A stream with no frame for this long has ended: its assignment is deleted (tombstone). Default 10m. */
        @WithDefault("10m")
        Duration ttl();

        /** How often ended streams are looked for. Default 1m. */
        @WithDefault("1m")
        Duration expiryInterval();
    }

    interface Rollout {
        /** Canary shares (percent) of a rollout that gives none: ascending, last 100. Default 5,25,50,100. */
        @WithDefault("5,25,50,100")
        List<Double> steps();
    }

    /** Default gates of a rollout that gives none (see contracts' Gates). */
    interface Gates {
        @WithDefault("200")
        long minFrames();

        @WithDefault("0.01")
        double maxErrorRate();

        @WithDefault("0")
        double maxP99Ms();

        @WithDefault("1.5")
        double maxP99Ratio();

        @WithDefault("100")
        long minShadowFrames();

        @WithDefault("0.7")
        double minShadowDice();

        @WithDefault("0")
        double minShadowIou();
    }
}
