package io.endostream.gateway.core;

import io.endostream.contracts.Topics;

/** The control topics the gateway reads and writes (configurable for tests and multi-tenant brokers). */
public record TopicNames(String models, String rollouts, String assignments, String telemetry, String audit) {

    public static final TopicNames DEFAULTS =
            new TopicNames(Topics.MODELS, Topics.ROLLOUTS, Topics.ASSIGNMENTS, Topics.TELEMETRY, Topics.AUDIT);
}
