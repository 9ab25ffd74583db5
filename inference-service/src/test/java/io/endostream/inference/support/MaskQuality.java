package io.endostream.inference.support;

import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/** Dice between a mask PNG from the service and the simulator's ground truth. */
public final class MaskQuality {

    private MaskQuality() {
    }

    /** Decodes a PNG as 8-bit grayscale (0/255). */
    public static Mat decode(byte[] png) {
        MatOfByte bytes = new MatOfByte(png);
        try {
            return Imgcodecs.imdecode(bytes, Imgcodecs.IMREAD_GRAYSCALE);
        } finally {
            bytes.release();
        }
    }

    /** Dice of two binary masks of the same size; 1 when both are empty. */
    public static double dice(Mat predicted, Mat truth) {
        Mat p = new Mat();
        Mat t = new Mat();
        Mat both = new Mat();
        try {
            Core.compare(predicted, new org.opencv.core.Scalar(127), p, Core.CMP_GT);
            Core.compare(truth, new org.opencv.core.Scalar(127), t, Core.CMP_GT);
            Core.bitwise_and(p, t, both);
            double sum = Core.countNonZero(p) + Core.countNonZero(t);
            return sum == 0 ? 1.0 : 2.0 * Core.countNonZero(both) / sum;
        } finally {
            p.release();
            t.release();
            both.release();
        }
    }
}
