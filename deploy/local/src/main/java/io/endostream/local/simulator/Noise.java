package io.endostream.local.simulator;

import java.util.Random;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/** Seeded, tileable value noise (zero mean, unit variance), smooth at the scale of {@code cell} pixels. */
final class Noise {

    private Noise() {
    }

    /**
     * Noise that wraps around in both directions (a tile of {@code width x height}); {@code width} and {@code height}
     * must be multiples of {@code cell}.
     */
    static float[] tileable(Random rng, int width, int height, int cell) {
        int gw = width / cell;
        int gh = height / cell;
        if (gw * cell != width || gh * cell != height) {
            throw new IllegalArgumentException("size " + width + "x" + height + " is not a multiple of " + cell);
        }
        float[] grid = new float[gw * gh];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = (float) rng.nextGaussian();
        }
        if (cell == 1) {
            return grid;
        }
        Mat small = new Mat(gh, gw, CvType.CV_32F);
        Mat padded = new Mat();
        Mat up = new Mat();
        try {
            small.put(0, 0, grid);
            Core.copyMakeBorder(small, padded, 2, 2, 2, 2, Core.BORDER_WRAP);
            Imgproc.resize(padded, up, new Size((gw + 4) * cell, (gh + 4) * cell), 0, 0, Imgproc.INTER_CUBIC);
            Mat crop = up.submat(2 * cell, 2 * cell + height, 2 * cell, 2 * cell + width).clone();
            float[] out = new float[width * height];
            crop.get(0, 0, out);
            crop.release();
            normalise(out);
            return out;
        } finally {
            small.release();
            padded.release();
            up.release();
        }
    }

    static void normalise(float[] values) {
        double sum = 0;
        double sq = 0;
        for (float v : values) {
            sum += v;
            sq += (double) v * v;
        }
        double mean = sum / values.length;
        double std = Math.sqrt(Math.max(1e-12, sq / values.length - mean * mean));
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((values[i] - mean) / std);
        }
    }

    static float clamp(double v, double lo, double hi) {
        return (float) (v < lo ? lo : (v > hi ? hi : v));
    }
}
