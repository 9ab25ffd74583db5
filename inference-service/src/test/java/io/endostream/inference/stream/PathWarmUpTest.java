package io.endostream.inference.stream;

import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.ModelLoader;
import io.endostream.inference.model.SessionSettings;
import io.endostream.inference.support.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The start-up warm-up runs every synthetic frame through the whole codec path (a stage that throws stops it short). */
class PathWarmUpTest {

    @TempDir
    Path tmp;

    @Test
    void everySyntheticFrameGoesThroughTheCodecPath() {
        OpenCv.load();
        try (LoadedModel model = LoadedModel.load(new ModelLoader(tmp).fromDirectory(TestModels.fixture()),
                SessionSettings.cpu(1, 1), Duration.ZERO, n -> {
                })) {
            assertEquals(165, PathWarmUp.run(model, PipelineSettings.defaults()));
            // frames larger than the pixel limit are not warmed up (they would be refused anyway)
            assertEquals(150, PathWarmUp.run(model, PipelineSettings.defaults().withLimits(16 * 1024 * 1024, 1_000_000)));
        }
    }
}
