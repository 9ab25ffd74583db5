package io.endostream.gateway.onnx;

import io.endostream.contracts.model.ModelManifest;
import io.endostream.gateway.TestModels;
import io.endostream.gateway.core.GraphChecker.Problem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The manifest is checked against the real graph (fixture: input "input" [-1,3,128,128], output "mask"). */
class OrtGraphCheckerTest {

    private final OrtGraphChecker checker = new OrtGraphChecker();
    private final ModelManifest good = TestModels.manifest();

    private ModelManifest with(ModelManifest.Input input, ModelManifest.Output output) {
        return new ModelManifest(good.name(), good.version(), good.onnxSha256(), good.onnxFile(), input, output,
                null, null, null);
    }

    private ModelManifest.Input input(String name, String layout, int width, int height, boolean dynamic, int maxBatch) {
        ModelManifest.Input in = good.input();
        return new ModelManifest.Input(name, layout, width, height, in.channelOrder(), in.mean(), in.std(), in.scale(),
                dynamic, maxBatch);
    }

    @Test
    void theFixtureManifestMatchesItsGraph() {
        assertEquals(List.of(), checker.check(good, TestModels.ONNX));
    }

    @Test
    void eachMismatchNamesItsField() {
        ModelManifest.Output out = good.output();
        assertEquals("input.name", checker.check(with(input("image", "NCHW", 128, 128, true, 8), out), TestModels.ONNX)
                .get(0).field());
        Problem width = checker.check(with(input("input", "NCHW", 256, 128, true, 8), out), TestModels.ONNX).get(0);
        assertEquals("input.width", width.field());
        assertTrue(width.message().contains("input.width is 256 but the graph's input shape [-1, 3, 128, 128]"),
                width.message());
        assertEquals("input.layout", checker.check(with(input("input", "NHWC", 128, 128, true, 8), out), TestModels.ONNX)
                .get(0).field());
        assertEquals("output.name", checker.check(with(good.input(), new ModelManifest.Output("logits", "none", 0.5)),
                TestModels.ONNX).get(0).field());
    }

    @Test
    void aFileThatIsNotOnnxIsRefused(@TempDir Path dir) throws Exception {
        Path junk = Files.writeString(dir.resolve("model.onnx"), "not a model");
        Problem p = checker.check(good, junk).get(0);
        assertEquals("onnxFile", p.field());
        assertTrue(p.message().startsWith("ONNX Runtime cannot open the uploaded model"), p.message());
    }
}
