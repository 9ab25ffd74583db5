package io.endostream.contracts.control;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Map;
import java.util.TreeMap;

/**
 * One decision of the gateway: the value on {@code endostream.audit} (append-only, key = deployment, or
 * {@code registry} for model registrations). Written in the same Kafka transaction as the state change it explains,
 * so there is no change without its entry.
 *
 * @param at          RFC 3339 time
 * @param deployment  the deployment, or {@code registry}
 * @param actor       who or what decided: an operator's principal name, or {@code gateway/analysis}
 * @param action      e.g. {@code register}, {@code deprecate}, {@code set-stable}, {@code start}, {@code step},
 *                    {@code promote}, {@code pause}, {@code resume}, {@code abort}, {@code rollback}, {@code pin},
 *                    {@code unpin}
 * @param reason      why, in words (a failed gate names itself with its figure and limit)
 * @param planRevision the plan revision the decision produced (-1 when no plan changed)
 * @param figures     the numbers behind the decision (frames, error rate, p99, Dice, IoU, ...)
 */
@JsonPropertyOrder({"at", "deployment", "actor", "action", "reason", "planRevision", "figures"})
public record AuditEntry(String at, String deployment, String actor, String action, String reason, long planRevision,
                         Map<String, Object> figures) {

    public static final String REGISTRY = "registry";

    public AuditEntry {
        figures = figures == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(figures));
    }
}
