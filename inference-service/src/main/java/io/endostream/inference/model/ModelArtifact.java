package io.endostream.inference.model;

import io.endostream.contracts.model.ModelManifest;
import io.endostream.contracts.rollout.ModelRef;

import java.nio.file.Path;

/**
 * A verified model version on local disk: its manifest and the ONNX file whose SHA-256 matched it.
 */
public record ModelArtifact(ModelManifest manifest, Path onnxFile) {
    public ModelRef ref() {
        return new ModelRef(manifest.name(), manifest.version());
    }
}
