package io.endostream.trainer.dataset;

/** Loads OpenCV's native library once per JVM (openpnp bundles the natives; {@code loadShared()} fails on Java 12+). */
public final class OpenCvNatives {
    private static volatile boolean loaded;

    private OpenCvNatives() {
    }

    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (OpenCvNatives.class) {
            if (!loaded) {
                nu.pattern.OpenCV.loadLocally();
                loaded = true;
            }
        }
    }
}
