package io.endostream.trainer.run;

import java.util.Locale;

/** Per-epoch learning rate: constant, cosine decay to 5% of the base, or step (x0.3 every 1/3 of the epochs). */
public enum LearningRateSchedule {
    CONSTANT, COSINE, STEP;

    public static LearningRateSchedule parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown learning-rate schedule '" + s + "', expected constant, cosine or step");
        }
    }

    public double rate(double base, int epoch, int epochs) {
        return switch (this) {
            case CONSTANT -> base;
            case COSINE -> {
                double t = epochs <= 1 ? 0 : (double) epoch / (epochs - 1);
                double floor = 0.05 * base;
                yield floor + (base - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
            }
            case STEP -> base * Math.pow(0.3, Math.floor(3.0 * epoch / Math.max(1, epochs)));
        };
    }
}
