package io.endostream.local.simulator;

import java.util.Random;

/** A smooth, bounded, deterministic signal of time: a sum of a few sines with seeded frequencies and phases. */
final class Wobble {

    private final double[] amplitude;
    private final double[] frequency;
    private final double[] phase;

    /** Values stay within [-1, 1]; frequencies (Hz) are drawn from [minHz, maxHz]. */
    Wobble(Random rng, int terms, double minHz, double maxHz) {
        amplitude = new double[terms];
        frequency = new double[terms];
        phase = new double[terms];
        double sum = 0;
        for (int i = 0; i < terms; i++) {
            amplitude[i] = 0.4 + rng.nextDouble();
            frequency[i] = minHz + (maxHz - minHz) * rng.nextDouble();
            phase[i] = 2 * Math.PI * rng.nextDouble();
            sum += amplitude[i];
        }
        for (int i = 0; i < terms; i++) {
            amplitude[i] /= sum;
        }
    }

    double at(double seconds) {
        double v = 0;
        for (int i = 0; i < amplitude.length; i++) {
            v += amplitude[i] * Math.sin(2 * Math.PI * frequency[i] * seconds + phase[i]);
        }
        return v;
    }
}
