package io.endostream.local.loadgen;

/**
 * What a load run does.
 *
 * @param streams        concurrent streams (keys load-1 .. load-N)
 * @param fps            frames per second per stream
 * @param seconds        sending time per phase, warm-up included
 * @param warmupSeconds  first part of each phase whose latencies are left out (connections, JIT, caches)
 * @param graceSeconds   how long to wait for the last answers after the last frame was sent
 * @param repeats        phases per target, alternating targets (relay, service, relay, service, ...)
 */
public record LoadSettings(int streams, double fps, double seconds, double warmupSeconds, double graceSeconds,
                           int repeats) {

    public LoadSettings {
        if (streams < 1) {
            throw new IllegalArgumentException("--streams must be >= 1, was " + streams);
        }
        if (!(fps > 0) || fps > 1000) {
            throw new IllegalArgumentException("--fps must be in (0, 1000], was " + fps);
        }
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("--seconds must be > 0, was " + seconds);
        }
        if (warmupSeconds < 0 || warmupSeconds >= seconds) {
            throw new IllegalArgumentException("--warmup must be >= 0 and below --seconds, was " + warmupSeconds);
        }
        if (graceSeconds < 0) {
            throw new IllegalArgumentException("--grace must be >= 0, was " + graceSeconds);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be >= 1, was " + repeats);
        }
    }

    public long framesPerStream() {
        return Math.max(1, Math.round(fps * seconds));
    }

    public long warmupFramesPerStream() {
        return Math.round(fps * warmupSeconds);
    }
}
