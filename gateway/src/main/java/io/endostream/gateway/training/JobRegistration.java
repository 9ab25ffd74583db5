package io.endostream.gateway.training;

import io.endostream.contracts.control.ModelVersionRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * "Register from job": fetches a finished job's {@code manifest.json} and {@code model.onnx} from the trainer and
 * registers them through the normal registry path (the same checks as an upload: manifest schema, graph against the
 * manifest, SHA-256, immutability). Nothing of the trainer's answer is trusted beyond what the registry checks.
 */
public final class JobRegistration {

    /** The registry's register call: manifest JSON bytes and the ONNX file. */
    @FunctionalInterface
    public interface Registrar {
        ModelVersionRecord register(byte[] manifestJson, Path onnx);
    }

    /** Largest manifest accepted from the trainer. */
    static final int MAX_MANIFEST_BYTES = 1 << 20;

    private JobRegistration() {
    }

    /**
     * @param tempDir   where the ONNX file waits while it is checked (deleted afterwards)
     * @param maxOnnx   largest ONNX file accepted
     */
    public static ModelVersionRecord register(TrainerClient trainer, String bearer, String jobId, Path tempDir,
                                              long maxOnnx, Registrar registrar) {
        String base = "/jobs/" + TrainerClient.jobId(jobId) + "/artifacts/";
        TrainerClient.Reply manifest = trainer.get(base + "manifest.json", bearer);
        if (!manifest.ok()) {
            throw TrainerClient.refused(base + "manifest.json", manifest);
        }
        if (manifest.body().length > MAX_MANIFEST_BYTES) {
            throw new TrainerException(502, null, "the trainer's manifest.json is larger than 1 MiB");
        }
        Path onnx = null;
        try {
            Files.createDirectories(tempDir);
            onnx = Files.createTempFile(tempDir, "job-" + jobId + "-", ".onnx");
            trainer.download(base + "model.onnx", bearer, onnx, maxOnnx);
            return registrar.register(manifest.body(), onnx);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (onnx != null) {
                try {
                    Files.deleteIfExists(onnx);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }
}
