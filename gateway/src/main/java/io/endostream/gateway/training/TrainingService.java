package io.endostream.gateway.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Wires the training feature: checks its settings at start-up (a bad one stops the gateway naming the key) and holds
 * the {@link TrainerClient} when a trainer is configured.
 */
@ApplicationScoped
@Startup
public class TrainingService {

    @Inject
    TrainingConfig config;

    @Inject
    ObjectMapper json;

    private TrainerClient client;
    private JsonNode jobTemplate;

    @PostConstruct
    void check() {
        List<String> problems = problems(config, json);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid configuration: " + String.join("; ", problems));
        }
        client = config.trainerUrl().map(u -> new TrainerClient(URI.create(u.trim()), config.trainerTimeout()))
                .orElse(null);
        jobTemplate = config.trainerJobTemplate().map(t -> {
            try {
                return json.readTree(t);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).orElse(null);
    }

    /** Every problem with the training settings, each naming its key; empty when they are fine. */
    static List<String> problems(TrainingConfig config, ObjectMapper json) {
        List<String> problems = new ArrayList<>();
        config.trainerUrl().ifPresent(u -> {
            try {
                URI uri = URI.create(u.trim());
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                        || uri.getQuery() != null || uri.getFragment() != null) {
                    throw new IllegalArgumentException("not an http(s) base URL");
                }
            } catch (IllegalArgumentException e) {
                problems.add("endostream.gateway.trainer-url must be an http(s) base URL such as "
                        + "http://127.0.0.1:8083, was '" + u + "'");
            }
        });
        if (config.trainerTimeout().isNegative() || config.trainerTimeout().isZero()) {
            problems.add("endostream.gateway.trainer-timeout must be positive, was " + config.trainerTimeout());
        }
        if (config.trainerMaxModelBytes() <= 0) {
            problems.add("endostream.gateway.trainer-max-model-bytes must be positive, was "
                    + config.trainerMaxModelBytes());
        }
        config.trainerJobTemplate().ifPresent(t -> {
            try {
                if (!json.readTree(t).isObject()) {
                    throw new IllegalArgumentException();
                }
            } catch (Exception e) {
                problems.add("endostream.gateway.trainer-job-template must be a JSON object such as "
                        + "{\"type\":\"pipeline\",\"options\":{}}, was '" + t + "'");
            }
        });
        return problems;
    }

    /** The trainer client; 503 "training is not configured" when no trainer URL is set. */
    public TrainerClient client() {
        if (client == null) {
            throw new TrainerException(503, null,
                    "training is not configured: set endostream.gateway.trainer-url to trainer-service's URL");
        }
        return client;
    }

    public Optional<TrainerClient> configured() {
        return Optional.ofNullable(client);
    }

    public Optional<JsonNode> jobTemplate() {
        return Optional.ofNullable(jobTemplate);
    }

    public long maxModelBytes() {
        return config.trainerMaxModelBytes();
    }
}
