package io.endostream.inference.stream;

import java.time.Duration;

/**
 * Frame-path settings (see the service's configuration for documentation and defaults).
 *
 * @param maxFrameBytes      larger frame values are dead-lettered TOO_LARGE
 * @param maxPixels          larger frames (width x height from the header) are dead-lettered TOO_MANY_PIXELS
 * @param maxAge             frames older than this (now - capture time) are skipped unless {@code lossless}
 * @param lossless           process every frame however late (recording, analytics)
 * @param codecThreads       threads decoding, preprocessing, postprocessing and encoding
 * @param maxInFlight        frames received but not yet acknowledged before the consumer is held back
 * @param maxInFlightBytes   bytes of frame values received but not yet acknowledged before the consumer is held back
 * @param pngCompression     zlib level of the mask PNG
 * @param maxRegions         largest regions kept in {@code ce_regions}; the rest are counted in {@code ce_regionsomitted}
 * @param minRegionArea      regions smaller than this (frame pixels) are counted, not listed
 * @param maxClockSkew       capture times (and record timestamps) later than now + this are "unknown"
 * @param maxDeadLetterBytes a dead letter (key + value + headers) larger than this is sent without its value
 * @param stuckAfter         a stream whose frames made no progress for this long turns liveness DOWN
 */
public record PipelineSettings(int maxFrameBytes, long maxPixels, Duration maxAge, boolean lossless, int codecThreads,
                               int maxInFlight, long maxInFlightBytes, int pngCompression, int maxRegions, long minRegionArea,
                               Duration maxClockSkew, int maxDeadLetterBytes, Duration stuckAfter) {

    /** Defaults as documented in the README, for tests and the benchmark. */
    public static PipelineSettings defaults() {
        return new PipelineSettings(16 * 1024 * 1024, 16_777_216L, Duration.ofMillis(500), false,
                Runtime.getRuntime().availableProcessors(), 256, 64L * 1024 * 1024, 1, 16, 16, Duration.ofSeconds(60),
                16 * 1024 * 1024, Duration.ofSeconds(60));
    }

    public PipelineSettings withLossless(boolean value) {
        return new PipelineSettings(maxFrameBytes, maxPixels, maxAge, value, codecThreads, maxInFlight, maxInFlightBytes,
                pngCompression, maxRegions, minRegionArea, maxClockSkew, maxDeadLetterBytes, stuckAfter);
    }

    public PipelineSettings withMaxAge(Duration value) {
        return new PipelineSettings(maxFrameBytes, maxPixels, value, lossless, codecThreads, maxInFlight, maxInFlightBytes,
                pngCompression, maxRegions, minRegionArea, maxClockSkew, maxDeadLetterBytes, stuckAfter);
    }

    public PipelineSettings withLimits(int frameBytes, long pixels) {
        return new PipelineSettings(frameBytes, pixels, maxAge, lossless, codecThreads, maxInFlight, maxInFlightBytes,
                pngCompression, maxRegions, minRegionArea, maxClockSkew, maxDeadLetterBytes, stuckAfter);
    }

    public PipelineSettings withCodecThreads(int value) {
        return new PipelineSettings(maxFrameBytes, maxPixels, maxAge, lossless, value, maxInFlight, maxInFlightBytes,
                pngCompression, maxRegions, minRegionArea, maxClockSkew, maxDeadLetterBytes, stuckAfter);
    }

    public PipelineSettings withRegions(int max, long minArea) {
        return new PipelineSettings(maxFrameBytes, maxPixels, maxAge, lossless, codecThreads, maxInFlight, maxInFlightBytes,
                pngCompression, max, minArea, maxClockSkew, maxDeadLetterBytes, stuckAfter);
    }

    public PipelineSettings withMaxDeadLetterBytes(int value) {
        return new PipelineSettings(maxFrameBytes, maxPixels, maxAge, lossless, codecThreads, maxInFlight, maxInFlightBytes,
                pngCompression, maxRegions, minRegionArea, maxClockSkew, value, stuckAfter);
    }

    public PipelineSettings withMaxInFlight(int frames, long bytes) {
        return new PipelineSettings(maxFrameBytes, maxPixels, maxAge, lossless, codecThreads, frames, bytes,
                pngCompression, maxRegions, minRegionArea, maxClockSkew, maxDeadLetterBytes, stuckAfter);
    }
}
