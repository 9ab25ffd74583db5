package io.endostream.local.stream;

/** Keeps a loop at a fixed rate against the clock: frame i is due at start + i / fps. */
final class Pacer {

    private final long startNanos;
    private final double periodNanos;

    Pacer(double fps) {
        if (!(fps > 0) || fps > 1000) {
            throw new IllegalArgumentException("fps must be in (0, 1000], was " + fps);
        }
        this.startNanos = System.nanoTime();
        this.periodNanos = 1e9 / fps;
    }

    /** Sleeps until frame {@code i} is due; returns false when it was already more than one period late. */
    boolean awaitFrame(long i) throws InterruptedException {
        long due = startNanos + (long) (i * periodNanos);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            return true;
        }
        return -wait <= periodNanos;
    }
}
