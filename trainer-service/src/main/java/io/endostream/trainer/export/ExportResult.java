package io.endostream.trainer.export;

import java.nio.file.Path;

/**
 * What {@link OnnxExporter#export} wrote.
 *
 * @param onnx       the ONNX file ({@code model.onnx})
 * @param manifest   the manifest beside it ({@code manifest.json}), with {@code onnxSha256} filled
 * @param maxAbsDiff largest absolute difference of the output probabilities between ONNX Runtime and DL4J over the
 *                   parity frames
 * @param sha256     SHA-256 of the ONNX file, lower-case hex
 * @param parity     the logit parity check the export passed (frames, batch sizes, logit differences, flips)
 */
public record ExportResult(Path onnx, Path manifest, double maxAbsDiff, String sha256, LogitParity.Report parity) {
}
