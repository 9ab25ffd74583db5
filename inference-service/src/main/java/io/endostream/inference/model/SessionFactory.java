package io.endostream.inference.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.jboss.logging.Logger;

import java.nio.file.Path;

/**
 * Opens ONNX Runtime sessions on the requested execution provider. When CUDA is asked for but cannot be used
 * (CPU-only artifact, no driver, missing CUDA libraries) it says so in one log line and opens a CPU session
 * from fresh options: a half-configured {@code SessionOptions} is never reused.
 */
public final class SessionFactory {

    private static final Logger LOG = Logger.getLogger(SessionFactory.class);

    /** An open session and the provider it actually runs on. */
    public record OpenedSession(OrtSession session, OrtSession.SessionOptions options, ExecutionProvider provider) {
    }

    private final SessionSettings settings;

    public SessionFactory(SessionSettings settings) {
        this.settings = settings;
    }

    public OpenedSession open(Path onnxFile) {
        try {
            return open(java.nio.file.Files.readAllBytes(onnxFile), onnxFile);
        } catch (java.io.IOException e) {
            throw new ModelLoadException("cannot read " + onnxFile + ": " + e.getMessage(), e);
        }
    }

    /** Opens a session from the model's bytes (the ones that were verified: nothing can swap the file between). */
    public OpenedSession open(byte[] onnx, Path onnxFile) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        if (settings.provider() == ExecutionProvider.CUDA) {
            OrtSession.SessionOptions options = baseOptions();
            try {
                options.addCUDA(settings.cudaDeviceId());
                return new OpenedSession(env.createSession(onnx, options), options, ExecutionProvider.CUDA);
            } catch (OrtException | UnsatisfiedLinkError e) {
                options.close();
                LOG.warnf("CUDA execution provider (device %d) unavailable for %s: %s -- falling back to CPU",
                        settings.cudaDeviceId(), onnxFile.getFileName(), e.getMessage());
            }
        }
        OrtSession.SessionOptions options = baseOptions();
        try {
            return new OpenedSession(env.createSession(onnx, options), options, ExecutionProvider.CPU);
        } catch (OrtException e) {
            options.close();
            throw new ModelLoadException("ONNX Runtime cannot open " + onnxFile + ": " + e.getMessage(), e);
        }
    }

    private OrtSession.SessionOptions baseOptions() {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(settings.effectiveIntraOpThreads());
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", settings.allowSpinning() ? "1" : "0");
            return options;
        } catch (OrtException e) {
            options.close();
            throw new ModelLoadException("invalid ONNX Runtime session options: " + e.getMessage(), e);
        }
    }
}
