package io.endostream.gateway.kafka;

import io.endostream.gateway.core.TopicNames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates the control topics when they are missing: one partition each; models, rollouts, assignments and telemetry
 * compacted; the audit log with the delete policy and unlimited retention. The replication factor is the broker's
 * default. Existing topics are left as they are.
 */
public final class ControlTopicsSetup {

    private ControlTopicsSetup() {
    }

    public static void create(String bootstrapServers, TopicNames topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Map<String, String> compact = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
            List<NewTopic> wanted = new ArrayList<>();
            for (String name : List.of(topics.models(), topics.rollouts(), topics.assignments(), topics.telemetry())) {
                wanted.add(new NewTopic(name, Optional.of(1), Optional.empty()).configs(compact));
            }
            wanted.add(new NewTopic(topics.audit(), Optional.of(1), Optional.empty()).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, "-1")));
            for (var entry : admin.createTopics(wanted).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create control topic " + entry.getKey() + ": "
                                + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the control topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("timed out creating the control topics on " + bootstrapServers, e);
        }
    }
}
