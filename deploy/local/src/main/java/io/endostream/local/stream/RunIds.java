package io.endostream.local.stream;

import java.security.SecureRandom;

/**
 * Run ids make frame ids unique across runs: sequences restart at 0 on every run while the broker keeps its data, and
 * a consumer that deduplicates on {@code ce_frameid} (as the contract advises) would otherwise drop a second run's
 * frames. Frame id = {@code <stream id>-<run id>-<sequence>}.
 */
public final class RunIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private RunIds() {
    }

    /**
     * A new run id: the start time in base 36 (ids of later runs sort later) plus 4 random base-36 characters, so two
     * runs started in the same millisecond (two simulators at once) still differ. Only stream-id-safe characters.
     */
    public static String newRunId() {
        StringBuilder id = new StringBuilder(Long.toString(System.currentTimeMillis(), 36));
        for (int i = 0; i < 4; i++) {
            id.append(DIGITS[RANDOM.nextInt(DIGITS.length)]);
        }
        return id.toString();
    }

    /** {@code <stream id>-<run id>-<sequence>}. */
    public static String frameId(String streamId, String runId, long sequence) {
        return streamId + "-" + runId + "-" + sequence;
    }
}
