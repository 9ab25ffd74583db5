package io.endostream.gateway.core;

import io.endostream.contracts.model.ModelManifest;

import java.nio.file.Path;
import java.util.List;

/** Checks a manifest against the ONNX graph it describes. */
public interface GraphChecker {

    /** A mismatch: the manifest field at fault and what is wrong. */
    record Problem(String field, String message) {
    }

    /** Every mismatch between the manifest and the graph in {@code onnx}; empty when they agree. */
    List<Problem> check(ModelManifest manifest, Path onnx);
}
