package io.endostream.local;

/** Loads OpenCV's native library from the openpnp jar once per JVM. */
public final class Native {

    private static volatile boolean openCvLoaded;

    private Native() {
    }

    /**
     * Loads OpenCV (idempotent, thread-safe). {@code nu.pattern.OpenCV.loadLocally()} unpacks the native library for
     * this platform from the jar; {@code loadShared()} does not work on Java 12+.
     */
    public static void loadOpenCv() {
        if (openCvLoaded) {
            return;
        }
        synchronized (Native.class) {
            if (!openCvLoaded) {
                nu.pattern.OpenCV.loadLocally();
                openCvLoaded = true;
            }
        }
    }
}
