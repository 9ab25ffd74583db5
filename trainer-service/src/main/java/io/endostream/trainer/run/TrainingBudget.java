package io.endostream.trainer.run;

/** Wall-clock budget of a training run: stops after the iteration that crosses it (0 = unlimited). */
public final class TrainingBudget {
    private final long deadlineNanos;
    private final double minutes;

    public TrainingBudget(double maxMinutes) {
        this.minutes = maxMinutes;
        this.deadlineNanos = maxMinutes > 0 ? System.nanoTime() + (long) (maxMinutes * 60e9) : Long.MAX_VALUE;
    }

    public boolean exhausted() {
        return System.nanoTime() >= deadlineNanos;
    }

    public double minutes() {
        return minutes;
    }
}
