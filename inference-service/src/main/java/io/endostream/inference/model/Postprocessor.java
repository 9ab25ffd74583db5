package io.endostream.inference.model;

import io.endostream.contracts.mask.Region;
import io.endostream.contracts.model.ModelManifest;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.List;

/**
 * The model's output transform, from the manifest: activation and threshold, then the mask at the frame's
 * size, the polyp area fraction and the bounding boxes of connected regions.
 */
public final class Postprocessor {

    /** A binary mask at the frame's size (CV_8UC1, 0 or 255) and what was measured on it. Owns the Mat. */
    public record Result(Mat mask, double areaFraction, List<Region> regions) implements AutoCloseable {
        @Override
        public void close() {
            mask.release();
        }
    }

    private final Scalar cut; // allocated once: binarize runs per frame

    public Postprocessor(ModelManifest.Output output) {
        double t = output.threshold();
        // sigmoid(x) > t  <=>  x > logit(t): threshold logits directly, no exp per pixel
        this.cut = new Scalar("sigmoid".equalsIgnoreCase(output.activation()) ? Math.log(t / (1 - t)) : t);
    }

    /**
     * Thresholds a model output plane (CV_32F) into a new model-resolution mask (CV_8UC1, 0/255). Runs on the
     * inference thread before the next batch overwrites the output, so it is the only step kept there.
     */
    public Mat binarize(Mat output) {
        Mat small = new Mat();
        Core.compare(output, cut, small, Core.CMP_GT);
        return small;
    }

    /**
     * Scales a model-resolution mask to the frame's size and measures it. Bilinear resize of the 0/255 mask and
     * a threshold at 128 give smooth edges at the cost of two cheap 8-bit passes. Regions are found on the
     * small mask (connected components) and scaled to frame coordinates.
     */
    public Result toFrame(Mat small, int frameWidth, int frameHeight) {
        Mat full = new Mat();
        if (small.cols() == frameWidth && small.rows() == frameHeight) {
            small.copyTo(full);
        } else {
            Imgproc.resize(small, full, new Size(frameWidth, frameHeight), 0, 0, Imgproc.INTER_LINEAR);
            Imgproc.threshold(full, full, 127, 255, Imgproc.THRESH_BINARY);
        }
        double area = Core.countNonZero(full) / ((double) frameWidth * frameHeight);
        return new Result(full, area, regions(small, frameWidth, frameHeight));
    }

    static List<Region> regions(Mat small, int frameWidth, int frameHeight) {
        Mat labels = new Mat();
        Mat stats = new Mat();
        Mat centroids = new Mat();
        try {
            int count = Imgproc.connectedComponentsWithStats(small, labels, stats, centroids, 8, CvType.CV_32S);
            double sx = frameWidth / (double) small.cols();
            double sy = frameHeight / (double) small.rows();
            List<Region> regions = new ArrayList<>(Math.max(0, count - 1));
            int[] row = new int[5];
            for (int label = 1; label < count; label++) { // 0 is the background
                stats.get(label, 0, row);
                int x = (int) Math.floor(row[Imgproc.CC_STAT_LEFT] * sx);
                int y = (int) Math.floor(row[Imgproc.CC_STAT_TOP] * sy);
                int w = Math.min(frameWidth - x, (int) Math.ceil(row[Imgproc.CC_STAT_WIDTH] * sx));
                int h = Math.min(frameHeight - y, (int) Math.ceil(row[Imgproc.CC_STAT_HEIGHT] * sy));
                regions.add(new Region(x, y, w, h, Math.round(row[Imgproc.CC_STAT_AREA] * sx * sy)));
            }
            regions.sort((a, b) -> Long.compare(b.areaPixels(), a.areaPixels()));
            return regions;
        } finally {
            labels.release();
            stats.release();
            centroids.release();
        }
    }
}
