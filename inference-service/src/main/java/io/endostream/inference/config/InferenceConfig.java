package io.endostream.inference.config;

import io.endostream.inference.model.ExecutionProvider;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Every setting of the inference service, prefix {@code endostream.inference}. Kafka settings (bootstrap
 * servers, topics, group id) are SmallRye channel settings in {@code application.properties}.
 * {@link ConfigCheck} refuses bad values at start-up, naming the setting.
 */
@ConfigMapping(prefix = "endostream.inference")
public interface InferenceConfig {

    Model model();

    OnnxRuntime onnxRuntime();

    Batching batching();

    Stream stream();

    Limits limits();

    Mask mask();

    interface Model {
        /** Folder with {@code manifest.json} and the ONNX file it names. No default; set this or {@code url}. */
        Optional<Path> dir();

        /** Base URL serving {@code manifest.json} and the ONNX file. No default; set this or {@code dir}. */
        Optional<URI> url();

        /**
         * Where models fetched from a URL are kept; created owner-only, refused when others can write it.
         * Default {@code ${user.home}/.cache/endostream/models} (not the shared temp folder).
         */
        @WithDefault("${user.home}/.cache/endostream/models")
        Path cacheDir();

        /** Accept a plain {@code http://} model URL (trusted networks only). Default false. */
        @WithDefault("false")
        boolean allowPlainHttp();

        /** The ONNX file's expected SHA-256 (hex); when set, any other model is refused. No default. */
        Optional<String> sha256();
    }

    interface OnnxRuntime {
        /** {@code cpu} or {@code cuda}; CUDA falls back to CPU (logged, metric) when unavailable. Default {@code cpu}. */
        @WithDefault("cpu")
        ExecutionProvider provider();

        /** CUDA device id. Default 0. */
        @WithDefault("0")
        int cudaDeviceId();

        /** Threads inside one inference; 0 = half the cores, at least 1 (the codec threads take the rest). Default 0. */
        @WithDefault("0")
        int intraOpThreads();

        /** Let idle intra-op threads spin (lower latency, steals CPU from codec threads). Default false. */
        @WithDefault("false")
        boolean allowSpinning();

        /** Inferences per batch size before the model takes traffic. Default 2. */
        @WithDefault("2")
        int warmupRuns();
    }

    interface Batching {
        /**
         * Largest batch across streams; capped by the manifest's maxBatch; 1 disables batching. 0 (the default) = auto,
         * {@link io.endostream.inference.model.SessionSettings#autoMaxBatchSize}: 1 in real-time mode on the CPU
         * provider, 8 in lossless mode or on CUDA.
         */
        @WithDefault("0")
        int maxBatchSize();

        /** How long a batch's first frame may wait for more; 0 = take what is queued, never wait. Default 0ms. */
        @WithDefault("0ms")
        Duration maxWait();
    }

    interface Stream {
        /** Frames older than this (now - capture time) are skipped and counted. Default 500ms. */
        @WithDefault("500ms")
        Duration maxAge();

        /** Process every frame however late (recording, analytics): no stale skips. Default false. */
        @WithDefault("false")
        boolean lossless();

        /**
         * Latest-frame-wins (ignored in lossless mode): a frame still waiting for a codec thread, or decoded and waiting
         * for inference, is skipped (counted as superseded) when a newer frame of its stream has come as far. Default true.
         */
        @WithDefault("true")
        boolean latestFrameWins();

        /** Threads for decode, preprocess, postprocess, encode; 0 = one per core. Default 0. */
        @WithDefault("0")
        int codecThreads();

        /**
         * Frames received but not yet acknowledged before the consumer is held back. Default 256: a lossless backlog
         * of 1080p frames drained 142 instead of 102 frames/s than with 64 (inference-service/README.md, benchmark).
         */
        @WithDefault("256")
        int maxInFlight();

        /**
         * Bytes of frame values received but not yet acknowledged before the consumer is held back, whatever their
         * count: what bounds the heap when frames are large (256 x 8 MiB would be 2 GiB). A single larger frame is
         * still taken in, alone. Default 64 MiB.
         */
        @WithDefault("67108864")
        long maxInFlightBytes();

        /**
         * Capture times ({@code ce_capturetime}, else the record timestamp) later than now + this are "unknown": the
         * record timestamp, then the receive time, is used instead. Default 60s.
         */
        @WithDefault("60s")
        Duration maxClockSkew();

        /** A stream whose frames made no progress for this long turns liveness DOWN. Default 60s. */
        @WithDefault("60s")
        Duration stuckAfter();

        /**
         * On a rebalance, how long the revoked partitions' frames in flight are waited for before the partitions go
         * (their outcomes published and offsets committed, so the new owner does not redo them). Stays below the
         * consumer's max.poll.interval.ms. Default 10s.
         */
        @WithDefault("10s")
        Duration revokeTimeout();

        /** How long SIGTERM waits for frames in flight to finish and be committed. Default 20s. */
        @WithDefault("20s")
        Duration drainTimeout();
    }

    interface Limits {
        /** Largest frame value in bytes (TOO_LARGE beyond). Default 16777216 (16 MiB, the topic's limit). */
        @WithDefault("16777216")
        int maxFrameBytes();

        /** Largest width x height read from an image header (TOO_MANY_PIXELS beyond). Default 16777216 (4096x4096). */
        @WithDefault("16777216")
        long maxPixels();

        /**
         * Largest dead letter (key + value + headers) sent with its value; larger ones are sent without the value and
         * say so in {@code ce_deadlettervaluedropped}. Must stay below the dead-letter producer's max.request.size.
         * Default 16777216.
         */
        @WithDefault("16777216")
        int maxDeadLetterBytes();
    }

    interface Mask {
        /** zlib level of the 1-bit mask PNG, 0..9. Default 1. */
        @WithDefault("1")
        int pngCompression();

        /** Largest regions listed in {@code ce_regions}; the others are counted in {@code ce_regionsomitted}. Default 16. */
        @WithDefault("16")
        int maxRegions();

        /** Regions smaller than this many frame pixels are counted, not listed. Default 16. */
        @WithDefault("16")
        long minRegionArea();
    }
}
