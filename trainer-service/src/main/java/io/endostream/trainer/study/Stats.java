package io.endostream.trainer.study;

import java.util.List;

/** Mean, sample standard deviation and a two-sided 95% t interval of a few numbers. */
public record Stats(int n, double mean, double sd, double low, double high) {
    /** t(0.975, df) for df = 1..30. */
    private static final double[] T975 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201,
            2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
            2.052, 2.048, 2.045, 2.042};

    public static Stats of(List<Double> xs) {
        int n = xs.size();
        if (n == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (n == 1) {
            return new Stats(1, mean, Double.NaN, Double.NaN, Double.NaN);
        }
        double ss = 0;
        for (double x : xs) {
            ss += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(ss / (n - 1));
        double t = n - 1 <= T975.length ? T975[n - 2] : 1.96;
        double half = t * sd / Math.sqrt(n);
        return new Stats(n, mean, sd, mean - half, mean + half);
    }

    /** Half the width of the 95% interval (0 when it is undefined, e.g. one value). */
    public double halfWidth() {
        return Double.isNaN(high) ? 0 : (high - low) / 2;
    }
}
