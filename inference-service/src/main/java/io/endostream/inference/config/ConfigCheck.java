package io.endostream.inference.config;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** Checks {@link InferenceConfig} as a whole; every problem names its setting. */
public final class ConfigCheck {

    private static final String P = "endostream.inference.";

    private ConfigCheck() {
    }

    public static List<String> problems(InferenceConfig c) {
        List<String> problems = new ArrayList<>();
        InferenceConfig.Model model = c.model();
        if (model.dir().isPresent() == model.url().isPresent()) {
            problems.add(P + "model.dir or " + P + "model.url must be set (exactly one)");
        }
        model.dir().filter(d -> !Files.isDirectory(d))
                .ifPresent(d -> problems.add(P + "model.dir must be a folder, " + d.toAbsolutePath() + " is not"));
        model.url().filter(u -> u.getScheme() == null || !(u.getScheme().equals("https") || u.getScheme().equals("http")))
                .ifPresent(u -> problems.add(P + "model.url must be an https URL, was " + u));
        model.url().filter(u -> "http".equals(u.getScheme()) && !model.allowPlainHttp())
                .ifPresent(u -> problems.add(P + "model.url is plain HTTP (" + u + "): use https, or set " + P
                        + "model.allow-plain-http=true on a trusted network"));
        model.sha256().filter(h -> !h.trim().matches("[0-9a-fA-F]{64}"))
                .ifPresent(h -> problems.add(P + "model.sha256 must be 64 hex digits, was '" + h + "'"));
        atLeast(problems, "onnx-runtime.cuda-device-id", c.onnxRuntime().cudaDeviceId(), 0);
        atLeast(problems, "onnx-runtime.intra-op-threads", c.onnxRuntime().intraOpThreads(), 0);
        atLeast(problems, "onnx-runtime.warmup-runs", c.onnxRuntime().warmupRuns(), 0);
        if (c.batching().maxBatchSize() < 0 || c.batching().maxBatchSize() > 256) {
            problems.add(P + "batching.max-batch-size must be 1..256 (or 0 = auto), was " + c.batching().maxBatchSize());
        }
        if (c.batching().maxWait().isNegative() || c.batching().maxWait().toMillis() > 1000) {
            problems.add(P + "batching.max-wait must be 0..1s, was " + c.batching().maxWait());
        }
        if (c.stream().maxAge().isNegative() || c.stream().maxAge().isZero()) {
            problems.add(P + "stream.max-age must be > 0, was " + c.stream().maxAge());
        }
        atLeast(problems, "stream.codec-threads", c.stream().codecThreads(), 0);
        atLeast(problems, "stream.max-in-flight", c.stream().maxInFlight(), 1);
        if (c.stream().maxInFlightBytes() < 1) {
            problems.add(P + "stream.max-in-flight-bytes must be at least 1, was " + c.stream().maxInFlightBytes());
        }
        atLeast(problems, "limits.max-frame-bytes", c.limits().maxFrameBytes(), 1);
        if (c.limits().maxPixels() < 1) {
            problems.add(P + "limits.max-pixels must be >= 1, was " + c.limits().maxPixels());
        }
        if (c.stream().maxClockSkew().isNegative()) {
            problems.add(P + "stream.max-clock-skew must be >= 0, was " + c.stream().maxClockSkew());
        }
        if (c.stream().stuckAfter().toMillis() < 1000) {
            problems.add(P + "stream.stuck-after must be >= 1s, was " + c.stream().stuckAfter());
        }
        if (c.stream().revokeTimeout().isNegative() || c.stream().revokeTimeout().toSeconds() > 60) {
            problems.add(P + "stream.revoke-timeout must be 0..60s, was " + c.stream().revokeTimeout());
        }
        if (c.stream().drainTimeout().isNegative()) {
            problems.add(P + "stream.drain-timeout must be >= 0, was " + c.stream().drainTimeout());
        }
        if (c.limits().maxDeadLetterBytes() < 64 * 1024) {
            problems.add(P + "limits.max-dead-letter-bytes must be >= 65536, was " + c.limits().maxDeadLetterBytes());
        }
        atLeast(problems, "mask.max-regions", c.mask().maxRegions(), 0);
        if (c.mask().minRegionArea() < 0) {
            problems.add(P + "mask.min-region-area must be >= 0, was " + c.mask().minRegionArea());
        }
        if (c.mask().pngCompression() < 0 || c.mask().pngCompression() > 9) {
            problems.add(P + "mask.png-compression must be 0..9, was " + c.mask().pngCompression());
        }
        return problems;
    }

    private static void atLeast(List<String> problems, String name, int value, int min) {
        if (value < min) {
            problems.add(P + name + " must be >= " + min + ", was " + value);
        }
    }
}
