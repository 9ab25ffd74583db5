package io.endostream.local.simulator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** A contact sheet of simulated frames: images on the top row, their masks below (mask outline drawn on images). */
public final class SampleGrid {

    private SampleGrid() {
    }

    /**
     * Writes {@code columns} frames (each from a different seed, a few seconds into the video) as a 2-row PNG.
     *
     * @param outline when true the mask's contour is also drawn in green over the image
     */
    public static void write(Path png, long seed, int columns, int width, int height, boolean outline) {
        List<Mat> tops = new ArrayList<>();
        List<Mat> bottoms = new ArrayList<>();
        try {
            for (int c = 0; c < columns; c++) {
                try (EndoscopySimulator simulator = new EndoscopySimulator(seed + c, width, height);
                     SimulatedFrame frame = simulator.frame(pickIndex(simulator, c))) {
                    Mat image = frame.image().clone();
                    if (outline) {
                        List<org.opencv.core.MatOfPoint> contours = new ArrayList<>();
                        Mat hierarchy = new Mat();
                        Imgproc.findContours(frame.mask().clone(), contours, hierarchy, Imgproc.RETR_EXTERNAL,
                                Imgproc.CHAIN_APPROX_SIMPLE);
                        Imgproc.drawContours(image, contours, -1, new Scalar(0, 255, 0), 1);
                        hierarchy.release();
                    }
                    Mat maskBgr = new Mat();
                    Imgproc.cvtColor(frame.mask(), maskBgr, Imgproc.COLOR_GRAY2BGR);
                    tops.add(image);
                    bottoms.add(maskBgr);
                }
            }
            Mat top = new Mat();
            Mat bottom = new Mat();
            Mat grid = new Mat();
            Core.hconcat(tops, top);
            Core.hconcat(bottoms, bottom);
            Core.vconcat(List.of(top, bottom), grid);
            Files.createDirectories(png.toAbsolutePath().getParent());
            if (!Imgcodecs.imwrite(png.toString(), grid)) {
                throw new IllegalStateException("OpenCV could not write " + png);
            }
            top.release();
            bottom.release();
            grid.release();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("Could not write " + png + ": " + e.getMessage(), e);
        } finally {
            tops.forEach(Mat::release);
            bottoms.forEach(Mat::release);
        }
    }

    /**
     * Writes {@code count} consecutive-ish frames of one video ({@code step} frames apart from {@code start}) as a
     * 2-row PNG: how the camera moves.
     */
    public static void writeStrip(Path png, long seed, int start, int step, int count, int width, int height) {
        List<Mat> tops = new ArrayList<>();
        List<Mat> bottoms = new ArrayList<>();
        try (EndoscopySimulator simulator = new EndoscopySimulator(seed, width, height)) {
            for (int c = 0; c < count; c++) {
                try (SimulatedFrame frame = simulator.frame(start + c * step)) {
                    Mat maskBgr = new Mat();
                    Imgproc.cvtColor(frame.mask(), maskBgr, Imgproc.COLOR_GRAY2BGR);
                    tops.add(frame.image().clone());
                    bottoms.add(maskBgr);
                }
            }
            Mat top = new Mat();
            Mat bottom = new Mat();
            Mat grid = new Mat();
            Core.hconcat(tops, top);
            Core.hconcat(bottoms, bottom);
            Core.vconcat(List.of(top, bottom), grid);
            if (!Imgcodecs.imwrite(png.toString(), grid)) {
                throw new IllegalStateException("OpenCV could not write " + png);
            }
            top.release();
            bottom.release();
            grid.release();
        } finally {
            tops.forEach(Mat::release);
            bottoms.forEach(Mat::release);
        }
    }

    /** Shows a variety: most columns at a moment with a polyp, one without. */
    private static int pickIndex(EndoscopySimulator simulator, int column) {
        int index = 50 + 37 * column;
        if (column % 5 == 4) {
            return index;
        }
        for (int tries = 0; tries < 40; tries++, index += 29) {
            try (SimulatedFrame probe = simulator.frame(index)) {
                if (probe.polypCount() > 0) {
                    return index;
                }
            }
        }
        return index;
    }
}
