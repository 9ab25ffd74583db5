package io.endostream.inference.shadow;

import java.time.Duration;

/**
 * Shadow-path settings (see {@link ShadowConfig} and the README).
 *
 * @param maxQueued          shadow frames accepted and not yet finished; 0 = every shadow frame is dropped
 * @param maxShare           largest share of wall-clock time the shadow thread may be busy, (0, 1]
 * @param maxPrimaryWait     a frame that waited longer than this for a codec thread is not shadowed: the CPU is
 *                           behind the primary path, and shadow work would only add to it
 * @param failureLogInterval a failing candidate is logged at most once per this interval
 * @param pngCompression     zlib level of the shadow mask PNG (as for primary masks)
 * @param maxRegions         largest regions listed in {@code ce_regions} (as for primary masks)
 * @param minRegionArea      smaller regions are counted in {@code ce_regionsomitted} (as for primary masks)
 */
public record ShadowSettings(int maxQueued, double maxShare, Duration maxPrimaryWait, Duration failureLogInterval,
                             int pngCompression, int maxRegions, long minRegionArea) {

    /** The documented defaults, for tests and the benchmark. */
    public static ShadowSettings defaults() {
        return new ShadowSettings(4, 0.5, Duration.ofMillis(20), Duration.ofMinutes(1), 1, 16, 16);
    }

    public ShadowSettings withMaxPrimaryWait(Duration value) {
        return new ShadowSettings(maxQueued, maxShare, value, failureLogInterval, pngCompression, maxRegions,
                minRegionArea);
    }

    public ShadowSettings withBudget(int queued, double share) {
        return new ShadowSettings(queued, share, maxPrimaryWait, failureLogInterval, pngCompression, maxRegions,
                minRegionArea);
    }
}
