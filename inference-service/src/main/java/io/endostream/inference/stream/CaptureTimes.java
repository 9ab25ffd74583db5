package io.endostream.inference.stream;

import io.endostream.contracts.RecordHeaders;
import io.endostream.contracts.Utf8;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The rule for capture times from outside (documented in the README): a time is believed when it is after the
 * epoch (&gt; 0) and no later than now + the allowed clock skew. An absurd {@code ce_capturetime} (negative, zero,
 * far future, or digits too long for a long) is "unknown": the frame falls back to the record timestamp, and when
 * that is absurd too, to the time it was received. So a frame is never stale, or fresh forever, because of a
 * broken clock, and latency headers never overflow.
 */
final class CaptureTimes {

    private CaptureTimes() {
    }

    static boolean plausible(long epochMillis, long nowMillis, long skewMillis) {
        return epochMillis > 0 && epochMillis - nowMillis <= skewMillis;
    }

    /** The record timestamp to use as the default capture time. */
    static long recordTime(long timestampMillis, long nowMillis, long skewMillis) {
        return plausible(timestampMillis, nowMillis, skewMillis) ? timestampMillis : nowMillis;
    }

    /**
     * The headers with an absurd {@code ce_capturetime} removed (a copy; the original when it is fine or absent).
     * Text that is not a number at all is left for the frame codec to refuse (BAD_HEADER).
     */
    static Map<String, byte[]> withoutAbsurdCaptureTime(Map<String, byte[]> headers, long nowMillis, long skewMillis) {
        byte[] raw = headers == null ? null : headers.get(RecordHeaders.CAPTURE_TIME);
        if (raw == null) {
            return headers;
        }
        String text = Utf8.decodeOrNull(raw);
        if (text == null) {
            return headers;
        }
        text = text.trim();
        boolean digits = !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9' || c == '-' || c == '+');
        if (!digits) {
            return headers;
        }
        boolean absurd;
        try {
            absurd = !plausible(Long.parseLong(text), nowMillis, skewMillis);
        } catch (NumberFormatException overflow) {
            absurd = true;
        }
        if (!absurd) {
            return headers;
        }
        Map<String, byte[]> copy = new LinkedHashMap<>(headers);
        copy.remove(RecordHeaders.CAPTURE_TIME);
        return copy;
    }
}
