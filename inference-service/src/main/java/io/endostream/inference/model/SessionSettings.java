package io.endostream.inference.model;

/**
 * How to open ONNX Runtime sessions.
 *
 * @param provider         requested execution provider; CUDA falls back to CPU when unavailable
 * @param cudaDeviceId     CUDA device for {@link ExecutionProvider#CUDA}
 * @param intraOpThreads   threads inside one inference; 0 lets ONNX Runtime choose (one per core)
 * @param allowSpinning    whether idle intra-op threads spin; spinning steals CPU from the codec threads
 * @param maxBatchSize     largest batch this service sends; capped by the manifest, and 1 for fixed-batch models
 * @param warmupRuns       inferences run at each batch size before the model takes traffic
 */
public record SessionSettings(ExecutionProvider provider, int cudaDeviceId, int intraOpThreads, boolean allowSpinning,
                              int maxBatchSize, int warmupRuns) {

    public static SessionSettings cpu(int intraOpThreads, int maxBatchSize) {
        return new SessionSettings(ExecutionProvider.CPU, 0, intraOpThreads, false, maxBatchSize, 1);
    }
}
