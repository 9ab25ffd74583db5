package io.endostream.gateway.training;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Optional;

/**
 * The gateway's link to trainer-service, keys {@code endostream.gateway.trainer-*} (a second mapping under the
 * gateway's prefix, so the training feature keeps its settings in its own package). All optional: without
 * {@code trainer-url} the dashboard's Training panel says training is not configured and {@code /api/training/jobs...}
 * answer 503.
 */
@ConfigMapping(prefix = "endostream.gateway")
public interface TrainingConfig {

    /** Base URL of trainer-service's job API, e.g. {@code http://127.0.0.1:8083}. No default: training off. */
    Optional<String> trainerUrl();

    /** Limit for one call to the trainer (event streams excepted: they last as long as the job). Default 30s. */
    @WithDefault("30s")
    Duration trainerTimeout();

    /**
     * JSON of the job the dashboard proposes when starting one ({@code {"type":"pipeline","options":{...}}}), so a
     * local stack can point it at its own simulator dataset. No default: the page proposes a pipeline job with
     * empty options.
     */
    Optional<String> trainerJobTemplate();

    /** Largest model.onnx fetched from the trainer by "register from job". Default 1073741824 (1 GiB, as uploads). */
    @WithDefault("1073741824")
    long trainerMaxModelBytes();
}
