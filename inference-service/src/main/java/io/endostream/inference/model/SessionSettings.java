package io.endostream.inference.model;

/**
 * How to open ONNX Runtime sessions.
 *
 * @param provider         requested execution provider; CUDA falls back to CPU when unavailable
 * @param cudaDeviceId     CUDA device for {@link ExecutionProvider#CUDA}
 * @param intraOpThreads   threads inside one inference; 0 = half the cores, at least 1 (see {@link #effectiveIntraOpThreads})
 * @param allowSpinning    whether idle intra-op threads spin; spinning steals CPU from the codec threads
 * @param maxBatchSize     largest batch this service sends; capped by the manifest, and 1 for fixed-batch models
 * @param warmupRuns       inferences run at each batch size before the model takes traffic
 */
public record SessionSettings(ExecutionProvider provider, int cudaDeviceId, int intraOpThreads, boolean allowSpinning,
                              int maxBatchSize, int warmupRuns) {

    /**
     * The intra-op threads a session gets. Auto (0) is half the cores, at least one: the codec threads (one per core)
     * work beside the inference thread, so ONNX Runtime's own default (one per core) asked for twice the cores, and
     * a parallel kernel then waits at its barrier for a worker the OS gave to a codec thread (README, "Threads").
     */
    public int effectiveIntraOpThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /**
     * The batch cap for {@code batching.max-batch-size} (0 = auto). On the CPU provider ONNX Runtime's cost per frame is
     * the same at batch 1 and 8 (2.43 vs 2.55 ms of CPU per frame here), so in real-time mode a batch only makes its
     * frames wait for each other: auto is 1 (measured with bench/run.sh --quick: under 120 % load p99 84 ms at batch 1,
     * 125 at 4, 135 at 8). A lossless backlog and a GPU (where a batch amortises kernel launches and copies) get 8.
     */
    public static int autoMaxBatchSize(int configured, boolean lossless, ExecutionProvider provider) {
        if (configured > 0) {
            return configured;
        }
        return lossless || provider == ExecutionProvider.CUDA ? 8 : 1;
    }

    public static SessionSettings cpu(int intraOpThreads, int maxBatchSize) {
        return new SessionSettings(ExecutionProvider.CPU, 0, intraOpThreads, false, maxBatchSize, 1);
    }
}
