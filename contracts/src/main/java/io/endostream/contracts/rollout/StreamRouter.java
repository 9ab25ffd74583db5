package io.endostream.contracts.rollout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * Applies a {@link RolloutPlan} to a stream. Pure and deterministic: every instance, the gateway and any dashboard
 * (in any language) compute the same route from the same plan.
 *
 * <pre>
 * bucket(id)  = uint32_big_endian(SHA-256(UTF-8(id))[0..4]) mod 10000              (0..9999)
 * threshold(p) = floor(p * 100 + 0.5)                                                (p in percent)
 * primary     = pins[id]                        if id is pinned             because "pin"
 *             = canary                          if canary != null and bucket &lt; threshold(canaryPercent)  "canary"
 *             = stable                          otherwise                   because "stable"
 * shadow      = plan.shadow if plan.shadow != null and plan.shadow != primary and
 *               (id in shadowStreams or bucket &gt;= 10000 - threshold(shadowPercent)), else none
 * </pre>
 * Canary takes buckets from the bottom, shadow from the top: while canary + shadow &lt;= 100 % they never overlap,
 * so shadowed streams run on the stable version and the shadow comparison is against stable masks.
 * Raising {@code canaryPercent} only adds buckets, so a canary stream never goes back to stable.
 */
public final class StreamRouter {

    /** Number of hash buckets: one bucket is 0.01 % of streams. */
    public static final int BUCKETS = 10_000;

    private StreamRouter() {
    }

    /** Which version serves a stream, which shadows it, and why. */
    public record Route(ModelRef primary, ModelRef shadow, String because) {
        public static final String PIN = "pin";
        public static final String CANARY = "canary";
        public static final String STABLE = "stable";
    }

    /** 0..9999: first 4 bytes of SHA-256 of the UTF-8 stream id, as an unsigned big-endian int, mod 10000. */
    public static int bucket(String streamId) {
        byte[] digest = sha256().digest(streamId.getBytes(StandardCharsets.UTF_8));
        long first4 = ((digest[0] & 0xFFL) << 24) | ((digest[1] & 0xFFL) << 16) | ((digest[2] & 0xFFL) << 8)
                | (digest[3] & 0xFFL);
        return (int) (first4 % BUCKETS);
    }

    /** Buckets a percentage covers: {@code floor(percent * 100 + 0.5)} clamped to 0..10000. */
    public static int threshold(double percent) {
        if (!(percent > 0)) {
            return 0;
        }
        return (int) Math.min(BUCKETS, Math.floor(percent * 100 + 0.5));
    }

    /** The route for {@code streamId} under {@code plan}. */
    public static Route route(RolloutPlan plan, String streamId) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(streamId, "streamId");
        int bucket = bucket(streamId);
        ModelRef primary;
        String because;
        ModelRef pinned = plan.pins().get(streamId);
        if (pinned != null) {
            primary = pinned;
            because = Route.PIN;
        } else if (plan.canary() != null && bucket < threshold(plan.canaryPercent())) {
            primary = plan.canary();
            because = Route.CANARY;
        } else {
            primary = plan.stable();
            because = Route.STABLE;
        }
        ModelRef shadow = null;
        if (plan.shadow() != null && !plan.shadow().equals(primary)
                && (plan.shadowStreams().contains(streamId) || bucket >= BUCKETS - threshold(plan.shadowPercent()))) {
            shadow = plan.shadow();
        }
        return new Route(primary, shadow, because);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
