package io.endostream.trainer.export;

/** The ONNX graph's output differs from the DL4J network's by more than the tolerance: nothing was written. */
public class ExportParityException extends RuntimeException {

    private final double maxAbsDiff;
    private final double tolerance;

    public ExportParityException(double maxAbsDiff, double tolerance, String detail) {
        super(String.format(java.util.Locale.ROOT,
                "ONNX export parity failed: max abs diff %.3g > tolerance %.1g (%s); model.onnx not written",
                maxAbsDiff, tolerance, detail));
        this.maxAbsDiff = maxAbsDiff;
        this.tolerance = tolerance;
    }

    public double maxAbsDiff() {
        return maxAbsDiff;
    }

    public double tolerance() {
        return tolerance;
    }
}
