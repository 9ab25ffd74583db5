package io.endostream.inference.stream;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.mask.Region;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The documented rules for capture times from outside and for the size of ce_regions. */
class FrameRulesTest {

    static final long NOW = 1_790_000_000_000L;
    static final long SKEW = 60_000;

    @Test
    void captureTimesAfterTheEpochAndNotBeyondTheSkewAreBelieved() {
        assertTrue(CaptureTimes.plausible(NOW, NOW, SKEW));
        assertTrue(CaptureTimes.plausible(NOW + SKEW, NOW, SKEW));
        assertTrue(CaptureTimes.plausible(NOW - 86_400_000L * 365, NOW, SKEW), "old is stale, not absurd");
        assertFalse(CaptureTimes.plausible(NOW + SKEW + 1, NOW, SKEW));
        assertFalse(CaptureTimes.plausible(0, NOW, SKEW));
        assertFalse(CaptureTimes.plausible(-1, NOW, SKEW));
        assertFalse(CaptureTimes.plausible(Long.MAX_VALUE, NOW, SKEW));
        assertFalse(CaptureTimes.plausible(Long.MIN_VALUE, NOW, SKEW));
        assertEquals(NOW, CaptureTimes.recordTime(-5, NOW, SKEW), "an absurd record timestamp gives way to receipt time");
        assertEquals(NOW - 10, CaptureTimes.recordTime(NOW - 10, NOW, SKEW));
    }

    @Test
    void absurdCaptureTimeHeadersAreDroppedAndOthersLeftForTheCodec() {
        for (String absurd : new String[]{"-1", "0", "99999999999999999999", Long.toString(NOW + SKEW + 1)}) {
            Map<String, byte[]> headers = Map.of(RecordHeaders.CAPTURE_TIME, absurd.getBytes(StandardCharsets.UTF_8));
            assertFalse(CaptureTimes.withoutAbsurdCaptureTime(headers, NOW, SKEW).containsKey(RecordHeaders.CAPTURE_TIME),
                    absurd);
        }
        Map<String, byte[]> fine = Map.of(RecordHeaders.CAPTURE_TIME, Long.toString(NOW).getBytes(StandardCharsets.UTF_8));
        assertSame(fine, CaptureTimes.withoutAbsurdCaptureTime(fine, NOW, SKEW), "no copy when nothing changes");
        Map<String, byte[]> text = Map.of(RecordHeaders.CAPTURE_TIME, "yesterday".getBytes(StandardCharsets.UTF_8));
        assertSame(text, CaptureTimes.withoutAbsurdCaptureTime(text, NOW, SKEW), "not a number: BAD_HEADER, as before");
    }

    @Test
    void regionsAreCappedToTheLargestAboveTheMinimumArea() {
        List<Region> regions = List.of(new Region(0, 0, 9, 9, 81), new Region(0, 0, 5, 5, 25),
                new Region(0, 0, 4, 4, 16), new Region(0, 0, 3, 3, 9), new Region(0, 0, 1, 1, 1));
        assertEquals(regions.subList(0, 2), RegionCap.kept(regions, 2, 0));
        assertEquals(regions.subList(0, 3), RegionCap.kept(regions, 16, 16));
        assertEquals(List.of(), RegionCap.kept(regions, 0, 0));
        assertSame(regions, RegionCap.kept(regions, 16, 0));
    }
}
