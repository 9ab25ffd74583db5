package io.endostream.gateway.app;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Documented defaults hold, and every bad value is named by its setting. */
class GatewayConfigCheckTest {

    static GatewayConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(GatewayConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(GatewayConfig.class);
    }

    @Test
    void defaultsAreValidOnceAKeyIsConfigured() {
        GatewayConfig c = config(Map.of());
        assertEquals(List.of(5.0, 25.0, 50.0, 100.0), c.rollout().steps());
        assertEquals("endostream-gateway", c.kafka().transactionalId());
        assertEquals(io.endostream.contracts.control.Gates.DEFAULTS, GatewayConfigCheck.gates(c));
        assertEquals(List.of(), GatewayConfigCheck.problems(c, Optional.of("/keys/jwt.pem"), Optional.empty()));
        assertEquals(List.of("mp.jwt.verify.publickey.location must be set: the public key (PEM) that verifies the JWT "
                + "bearer tokens of API callers"), GatewayConfigCheck.problems(c, Optional.empty(), Optional.empty()));
    }

    @Test
    void everyBadValueIsNamed() {
        GatewayConfig c = config(Map.of("endostream.gateway.analysis.interval", "0s",
                "endostream.gateway.assignments.ttl", "-1m",
                "endostream.gateway.rollout.steps", "50,25",
                "endostream.gateway.gates.min-frames", "0",
                "endostream.gateway.gates.min-shadow-dice", "1.5",
                "endostream.gateway.kafka.transactional-id", " "));
        assertEquals(List.of("endostream.gateway.analysis.interval must be > 0, was PT0S",
                "endostream.gateway.assignments.ttl must be > 0, was PT-1M",
                "endostream.gateway.kafka.transactional-id must not be blank",
                "endostream.gateway.rollout.steps must be ascending shares within (0, 100] ending at 100, was [50.0, 25.0]",
                "endostream.gateway.gates.min-frames must be >= 1, was 0",
                "endostream.gateway.gates.min-shadow-dice must be within 0..1 (0 = off), was 1.5"),
                GatewayConfigCheck.problems(c, Optional.of("k.pem"), Optional.empty()));
    }
}
