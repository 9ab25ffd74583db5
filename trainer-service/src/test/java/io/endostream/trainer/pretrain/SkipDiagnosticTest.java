package io.endostream.trainer.pretrain;

import io.endostream.trainer.model.UNetConfig;
import io.endostream.trainer.run.ProgressListener;
import io.endostream.trainer.testing.SyntheticPolyps;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

class SkipDiagnosticTest {

    @TempDir
    Path dir;

    /** A plain autoencoder learns to pass the image through its skips: zeroing them makes reconstruction much worse. */
    @Test
    void tinyReconstructRunShowsTheSkipCopyingGap() {
        SyntheticPolyps.writeRandomBlocks(dir.resolve("frames"), 20, 3, 32);
        PretrainConfig cfg = new PretrainConfig(dir.resolve("run").toString(),
                new UNetConfig(32, 0.35, 8, 42, 1e-2), PretrainObjective.RECONSTRUCT,
                List.of(dir.resolve("frames").toString()), 1, 0, null, 0.2, 1, null, 6, 4, 0, false, null, false, 4,
                false, 7);
        Pretrainer.Result r = Pretrainer.run(cfg, ProgressListener.NONE, () -> false);
        SkipDiagnostic d = r.diagnostic();
        System.out.printf("skip diagnostic: clean MSE %.5f with skips, %.5f without (x%.2f)%n", d.cleanWithSkips(),
                d.cleanWithoutSkips(), d.cleanGapRatio());
        assertTrue(d.cleanWithoutSkips() > 1.5 * d.cleanWithSkips(),
                "expected a large gap, got with skips " + d.cleanWithSkips() + ", without " + d.cleanWithoutSkips());
        assertTrue(Files.isRegularFile(r.runDir().resolve("metrics.json")));
    }
}
