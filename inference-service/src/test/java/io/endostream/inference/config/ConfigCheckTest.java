package io.endostream.inference.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad settings stop start-up with messages naming them (the same mapping Quarkus builds). */
class ConfigCheckTest {

    private static InferenceConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(InferenceConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(InferenceConfig.class);
    }

    @Test
    void defaultsAreValidOnceAModelIsNamed() {
        InferenceConfig c = config(Map.of("endostream.inference.model.dir", "."));
        assertEquals(List.of(), ConfigCheck.problems(c));
        assertEquals(0, c.batching().maxBatchSize(), "auto");
        assertEquals(1, io.endostream.inference.model.SessionSettings.autoMaxBatchSize(0, false,
                io.endostream.inference.model.ExecutionProvider.CPU), "real-time on the CPU: no batching");
        assertEquals(8, io.endostream.inference.model.SessionSettings.autoMaxBatchSize(0, true,
                io.endostream.inference.model.ExecutionProvider.CPU), "a lossless backlog batches");
        assertEquals(8, io.endostream.inference.model.SessionSettings.autoMaxBatchSize(0, false,
                io.endostream.inference.model.ExecutionProvider.CUDA), "a GPU batches");
        assertEquals(4, io.endostream.inference.model.SessionSettings.autoMaxBatchSize(4, false,
                io.endostream.inference.model.ExecutionProvider.CPU), "a configured size is kept");
        assertEquals(500, c.stream().maxAge().toMillis());
    }

    @Test
    void everyBadValueIsNamed() {
        List<String> problems = ConfigCheck.problems(config(Map.of(
                "endostream.inference.batching.max-batch-size", "-1",
                "endostream.inference.stream.max-age", "0s",
                "endostream.inference.mask.png-compression", "12",
                "endostream.inference.limits.max-pixels", "-1",
                "endostream.inference.stream.stuck-after", "10ms",
                "endostream.inference.stream.revoke-timeout", "5m",
                "endostream.inference.limits.max-dead-letter-bytes", "100",
                "endostream.inference.mask.max-regions", "-1",
                "endostream.inference.model.sha256", "abc")));
        String all = String.join("\n", problems);
        for (String setting : List.of("endostream.inference.model.dir", "batching.max-batch-size", "stream.max-age",
                "mask.png-compression", "limits.max-pixels", "stream.stuck-after", "stream.revoke-timeout",
                "limits.max-dead-letter-bytes", "mask.max-regions", "model.sha256")) {
            assertTrue(all.contains(setting), setting + " not named in:\n" + all);
        }
    }

    @Test
    void aPlainHttpModelUrlIsRefusedUnlessAllowed() {
        String refused = String.join("\n", ConfigCheck.problems(config(Map.of(
                "endostream.inference.model.url", "http://gateway:8080/models/polyp/1/"))));
        assertTrue(refused.contains("endostream.inference.model.allow-plain-http"), refused);
        assertEquals(List.of(), ConfigCheck.problems(config(Map.of(
                "endostream.inference.model.url", "http://gateway:8080/models/polyp/1/",
                "endostream.inference.model.allow-plain-http", "true"))));
        assertTrue(config(Map.of("endostream.inference.model.dir", ".")).model().cacheDir()
                .endsWith(java.nio.file.Path.of(".cache", "endostream", "models")),
                "the default cache is under the user's home (private), not in the shared temp folder");
    }

    @Test
    void anUnknownProviderIsRefusedNamingTheProperty() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> config(Map.of(
                "endostream.inference.model.dir", ".", "endostream.inference.onnx-runtime.provider", "gpu")));
        assertTrue(String.valueOf(e.getMessage()).contains("endostream.inference.onnx-runtime.provider"), e.getMessage());
    }
}
