package io.endostream.trainer.model;

import org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper;

/**
 * Switches DL4J 1.0.0-M2.1 onto its fast CPU paths. Call {@link #configure()} before anything touches ND4J (the
 * trainer's entry points do); later calls are harmless no-ops. Measured effect on a MobileNetV2 U-Net training step:
 * about 3-4x less CPU time (see docs/model-and-export.md).
 *
 * <ul>
 *   <li>Native build: when the oneDNN build of nd4j-native ({@code nd4j-native:1.0.0-M2.1:linux-x86_64-onednn}) is on
 *       the classpath and no platform extension was chosen, selects it ({@code org.bytedeco.javacpp.platform.extension
 *       = -onednn}). Without that jar nothing changes: JavaCPP falls back to the plain {@code linux-x86_64} build.</li>
 *   <li>Layer helpers: DL4J M2.1 disables its oneDNN layer helpers (conv, batch norm) unless
 *       {@code org.eclipse.deeplearning4j.helpers.disable=false}; this sets it unless the user set it. (The helpers
 *       also need the compatibility class {@code org.nd4j.nativeblas.Nd4jCpu}: DL4J M2.1 looks the oneDNN switch up
 *       under that old class name.)</li>
 * </ul>
 */
public final class Dl4jNative {

    static final String HELPERS_DISABLE = "org.eclipse.deeplearning4j.helpers.disable";
    static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";
    static final String ONEDNN_NATIVES = "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64-onednn/";

    private static volatile boolean configured;

    private Dl4jNative() {
    }

    /** Idempotent; respects explicit -D settings. */
    public static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        if (System.getProperty(HELPERS_DISABLE) == null) {
            System.setProperty(HELPERS_DISABLE, "false");
        }
        if (System.getProperty(EXTENSION) == null && System.getProperty("javacpp.platform.extension") == null
                && Dl4jNative.class.getClassLoader().getResource(ONEDNN_NATIVES) != null) {
            System.setProperty(EXTENSION, "-onednn");
        }
    }

    /** Whether DL4J's oneDNN layer helpers are active in this JVM (needs the oneDNN native build). */
    public static boolean oneDnnHelpersActive() {
        configure();
        return !Boolean.parseBoolean(System.getProperty(HELPERS_DISABLE, "true")) && BaseMKLDNNHelper.mklDnnEnabled();
    }
}
