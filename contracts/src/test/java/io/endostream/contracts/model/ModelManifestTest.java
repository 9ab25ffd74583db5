package io.endostream.contracts.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelManifestTest {

    static ModelManifest valid() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("epochs", 12);
        details.put("widthMultiplier", 0.35);
        return new ModelManifest("polyp-unet", "2026.11.27-1",
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "model.onnx",
                new ModelManifest.Input("image", "NCHW", 256, 256, "RGB", new double[] {0.485, 0.456, 0.406},
                        new double[] {0.229, 0.224, 0.225}, 1 / 255.0, true, 8),
                new ModelManifest.Output("mask", "none", 0.5),
                new ModelManifest.Training("kvasir-seg", 880, 4000, "inpainting", details),
                Map.of("dice", 0.81, "iou", 0.72), "2026-11-27T07:00:00Z");
    }

    @Test
    void writeThenReadGivesTheSameManifest(@TempDir Path dir) {
        ModelManifest manifest = valid();
        Path file = dir.resolve(ModelManifest.FILE_NAME);

        manifest.write(file);

        assertEquals(manifest, ModelManifest.read(file));
        assertEquals(manifest.input(), ModelManifest.read(file).input(), "arrays compared by content");
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        Path file = dir.resolve(ModelManifest.FILE_NAME);
        Files.writeString(file, "old");

        valid().write(file);

        assertEquals(valid(), ModelManifest.read(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void readsAHandWrittenManifestAndDefaultsTheOnnxFile() {
        String json = """
                {
                  "name": "polyp-unet", "version": "3",
                  "onnxSha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                  "input": {"name": "input", "layout": "NHWC", "width": 352, "height": 288, "channelOrder": "BGR",
                            "mean": [0, 0, 0], "std": [1, 1, 1], "scale": 0.00392156862745098,
                            "dynamicBatch": false, "maxBatch": 1},
                  "output": {"name": "logits", "activation": "sigmoid", "threshold": 0.4},
                  "someFutureField": {"ignored": true}
                }
                """;
        ModelManifest manifest = ModelManifest.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));

        assertEquals("model.onnx", manifest.onnxFile());
        assertEquals(352, manifest.input().width());
        assertEquals("sigmoid", manifest.output().activation());
        assertSame(manifest, manifest.validate(), "training, metrics and createdAt are optional");
    }

    @Test
    void validManifestValidates() {
        ModelManifest manifest = valid();
        assertSame(manifest, manifest.validate());
    }

    @Test
    void validateListsEveryProblemWithItsFieldPath() {
        ModelManifest bad = new ModelManifest("", "1:2", "ABC", "../model.onnx",
                new ModelManifest.Input(" ", "CHW", -3, 0, "RGBA", new double[] {0.5}, new double[] {1, 0, 1},
                        0, false, 0),
                new ModelManifest.Output(null, "softmax", 1.5),
                new ModelManifest.Training("x", -1, -2, "none", Map.of()),
                Map.of("dice", Double.NaN), "yesterday");

        InvalidManifestException e = assertThrows(InvalidManifestException.class, bad::validate);

        List<String> expected = List.of(
                "name must be 1-128 letters", "version must be 1-128 letters", "onnxSha256 must be 64 lower-case hex",
                "onnxFile must be a plain file name", "input.name must not be blank",
                "input.layout must be \"NCHW\" or \"NHWC\", was \"CHW\"", "input.width must be > 0, was -3",
                "input.height must be > 0, was 0", "input.channelOrder must be \"RGB\" or \"BGR\"",
                "input.mean must have 3 values", "input.std[1] must be > 0, was 0.0", "input.scale must be > 0",
                "input.maxBatch must be >= 1, was 0", "output.name must not be blank",
                "output.activation must be \"sigmoid\" or \"none\", was \"softmax\"",
                "output.threshold must be > 0 and < 1, was 1.5", "training.labelledImages must be >= 0, was -1",
                "training.unlabelledImages must be >= 0, was -2", "metrics.dice must be a finite number",
                "createdAt must be an RFC 3339 time");
        for (String part : expected) {
            assertTrue(e.problems().stream().anyMatch(p -> p.contains(part)),
                    "missing problem '" + part + "' in " + e.problems());
        }
        assertEquals(expected.size(), e.problems().size(), e.problems().toString());
        assertTrue(e.getMessage().contains("input.width must be > 0, was -3"), e.getMessage());
    }

    @Test
    void missingSectionsAreReported() {
        ModelManifest bad = new ModelManifest("m", "1", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                null, null, null, null, null, null);
        InvalidManifestException e = assertThrows(InvalidManifestException.class, bad::validate);
        assertEquals(List.of("input is required", "output is required"), e.problems());
    }

    @Test
    void brokenJsonNamesTheFileAndPosition(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("manifest.json");
        Files.writeString(file, "{\n  \"name\": \"m\",\n  \"input\": {\"width\": \"wide\"}\n}");

        InvalidManifestException e = assertThrows(InvalidManifestException.class, () -> ModelManifest.read(file));

        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void missingFileNamesTheFile(@TempDir Path dir) {
        Path file = dir.resolve("absent/manifest.json");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> ModelManifest.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void sha256OfAFileIsLowerCaseHex(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.writeString(file, "test");
        // sha256("test") as printed by `printf test | sha256sum`
        assertEquals("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ModelManifest.sha256(file));

        Path empty = dir.resolve("empty.onnx");
        Files.write(empty, new byte[0]);
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ModelManifest.sha256(empty));
    }

    @Test
    void sha256OfAFileLargerThanTheBufferMatchesTheOneShotDigest(@TempDir Path dir) throws Exception {
        byte[] content = new byte[200_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Path file = dir.resolve("big.onnx");
        Files.write(file, content);
        String expected = java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(content));
        assertEquals(expected, ModelManifest.sha256(file));
    }
}
