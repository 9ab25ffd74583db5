package io.endostream.gateway.app;

import io.endostream.contracts.control.Gates;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Every problem of a gateway configuration, each naming its setting. */
public final class GatewayConfigCheck {

    private static final String P = "endostream.gateway.";

    private GatewayConfigCheck() {
    }

    public static Gates gates(GatewayConfig config) {
        GatewayConfig.Gates g = config.gates();
        return new Gates(g.minFrames(), g.maxErrorRate(), g.maxP99Ms(), g.maxP99Ratio(), g.minShadowFrames(),
                g.minShadowDice(), g.minShadowIou());
    }

    public static List<String> problems(GatewayConfig config, Optional<String> publicKeyLocation,
                                        Optional<String> publicKey) {
        List<String> problems = new ArrayList<>();
        positive(problems, "analysis.interval", config.analysis().interval());
        positive(problems, "assignments.ttl", config.assignments().ttl());
        positive(problems, "assignments.expiry-interval", config.assignments().expiryInterval());
        positive(problems, "kafka.rebuild-timeout", config.kafka().rebuildTimeout());
        if (config.kafka().transactionalId().isBlank()) {
            problems.add(P + "kafka.transactional-id must not be blank");
        }
        List<Double> steps = config.rollout().steps();
        double previous = 0;
        boolean ascending = true;
        for (Double s : steps) {
            ascending &= s != null && s > previous && s <= 100;
            previous = s == null ? previous : s;
        }
        if (!ascending || previous != 100) {
            problems.add(P + "rollout.steps must be ascending shares within (0, 100] ending at 100, was " + steps);
        }
        for (String problem : gates(config).problems()) {
            // "gates.minFrames must be ..." -> "endostream.gateway.gates.min-frames must be ..."
            int space = problem.indexOf(' ');
            String field = problem.substring(0, space);
            problems.add(P + kebab(field) + problem.substring(space));
        }
        if (publicKeyLocation.filter(s -> !s.isBlank()).isEmpty() && publicKey.filter(s -> !s.isBlank()).isEmpty()) {
            problems.add("mp.jwt.verify.publickey.location must be set: the public key (PEM) that verifies the JWT "
                    + "bearer tokens of API callers");
        }
        return problems;
    }

    private static void positive(List<String> problems, String name, Duration value) {
        if (value.isZero() || value.isNegative()) {
            problems.add(P + name + " must be > 0, was " + value);
        }
    }

    private static String kebab(String field) {
        return field.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
