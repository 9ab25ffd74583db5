package org.nd4j.nativeblas;

/**
 * Compatibility shim for Deeplearning4j 1.0.0-M2.1: its {@code BaseMKLDNNHelper.mklDnnEnabled()} looks up
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.isUseMKLDNN()} by reflection, but ND4J M2.1 moved that class to
 * {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu} and renamed the method {@code isUseONEDNN()}. Without this
 * class DL4J's oneDNN conv and batch-norm helpers can never switch on. Owned by the trainer's model package (see
 * io.endostream.trainer.model.Dl4jNative); remove when DL4J is upgraded.
 */
public final class Nd4jCpu {

    private Nd4jCpu() {
    }

    /** Delegates to the real ND4J environment. */
    public static final class Environment {

        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        /** True when the loaded libnd4j was built with oneDNN and uses it. */
        public boolean isUseMKLDNN() {
            return org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }
}
