package io.endostream.inference.frame;

/** Loads OpenCV's native library once per JVM (openpnp bundles it for every platform). */
public final class OpenCv {

    private static volatile boolean loaded;

    private OpenCv() {
    }

    public static void load() {
        if (!loaded) {
            synchronized (OpenCv.class) {
                if (!loaded) {
                    nu.pattern.OpenCV.loadLocally();
                    // The pipeline already runs one frame per codec thread; OpenCV's own worker pool on top of that
                    // only oversubscribes the cores (and its idle workers cost wake-ups per call).
                    org.opencv.core.Core.setNumThreads(1);
                    loaded = true;
                }
            }
        }
    }
}
