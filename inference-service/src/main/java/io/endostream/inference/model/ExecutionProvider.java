package io.endostream.inference.model;

/** Where ONNX Runtime executes the model. */
public enum ExecutionProvider {
    CPU, CUDA;

    /** Lower-case name used in configuration and as the metric tag. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
