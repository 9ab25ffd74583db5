package io.endostream.inference.support;

import io.endostream.contracts.model.ModelManifest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed fixture model (trained by the trainer on the simulator) that every test runs. */
public final class TestModels {

    /** Folder of the fixture: model.onnx + manifest.json. */
    public static final Path FIXTURE = Path.of(System.getProperty("endostream.test.model-dir",
            "src/test/resources/models/polyp-fixture"));

    private TestModels() {
    }

    public static Path fixture() {
        // committed with the repository: a missing fixture is a broken checkout, so fail rather than skip
        if (!Files.isRegularFile(FIXTURE.resolve(ModelManifest.FILE_NAME))) {
            throw new IllegalStateException("fixture model missing at " + FIXTURE.toAbsolutePath());
        }
        return FIXTURE;
    }

    /** A copy of the fixture under another version (same ONNX bytes), optionally with a fixed batch of 1. */
    public static Path copyAs(Path target, String version, boolean fixedBatchOne) {
        try {
            Path source = fixture();
            ModelManifest m = ModelManifest.read(source.resolve(ModelManifest.FILE_NAME));
            Files.createDirectories(target);
            Files.copy(source.resolve(m.onnxFile()), target.resolve(m.onnxFile()),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ModelManifest.Input in = m.input();
            ModelManifest.Input input = fixedBatchOne ? new ModelManifest.Input(in.name(), in.layout(), in.width(),
                    in.height(), in.channelOrder(), in.mean(), in.std(), in.scale(), false, 1) : in;
            new ModelManifest(m.name(), version, m.onnxSha256(), m.onnxFile(), input, m.output(), m.training(),
                    m.metrics(), m.createdAt()).write(target.resolve(ModelManifest.FILE_NAME));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
