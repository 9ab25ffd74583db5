package io.endostream.trainer.dataset;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random geometric and photometric augmentation with OpenCV, applied identically to an image and its mask
 * (geometry only for the mask): horizontal/vertical flips, 90 degree rotations, scale, colour jitter.
 *
 * @param flips       random horizontal and vertical flips
 * @param rotate90    random multiple of 90 degrees
 * @param scaleMin    smallest zoom factor (e.g. 0.8; 1 = off)
 * @param scaleMax    largest zoom factor (e.g. 1.25)
 * @param brightness  max brightness shift as a fraction of 255 (e.g. 0.1)
 * @param contrast    max contrast change (e.g. 0.2 gives a factor in [0.8, 1.2])
 * @param saturation  max saturation change (e.g. 0.2)
 */
public record Augmentation(boolean flips, boolean rotate90, double scaleMin, double scaleMax, double brightness,
                           double contrast, double saturation) {

    public static Augmentation standard() {
        return new Augmentation(true, true, 0.8, 1.25, 0.1, 0.2, 0.2);
    }

    public static Augmentation none() {
        return new Augmentation(false, false, 1, 1, 0, 0, 0);
    }

    public boolean isNone() {
        return !flips && !rotate90 && scaleMin == 1 && scaleMax == 1 && brightness == 0 && contrast == 0 && saturation == 0;
    }

    /** Returns an augmented copy of the sample (the input is not changed). */
    public Sample apply(Sample s, Random random) {
        if (isNone()) {
            return s;
        }
        int size = s.size();
        Mat image = ImageFiles.bgrMat(s.bgr(), size);
        Mat mask = s.mask() == null ? null : ImageFiles.maskMat(s.mask(), size);
        List<Mat> temps = new ArrayList<>();
        try {
            if (flips && random.nextBoolean()) {
                flip(image, mask, 1);
            }
            if (flips && random.nextBoolean()) {
                flip(image, mask, 0);
            }
            if (rotate90) {
                int turns = random.nextInt(4);
                if (turns > 0) {
                    int code = turns == 1 ? Core.ROTATE_90_CLOCKWISE : turns == 2 ? Core.ROTATE_180 : Core.ROTATE_90_COUNTERCLOCKWISE;
                    Core.rotate(image, image, code);
                    if (mask != null) {
                        Core.rotate(mask, mask, code);
                    }
                }
            }
            if (scaleMax > scaleMin || scaleMin != 1) {
                double scale = scaleMin + random.nextDouble() * (scaleMax - scaleMin);
                // zoom about a random centre so zoomed-in crops do not always keep the middle
                double cx = size / 2.0 + (random.nextDouble() - 0.5) * size * Math.max(0, scale - 1) / scale;
                double cy = size / 2.0 + (random.nextDouble() - 0.5) * size * Math.max(0, scale - 1) / scale;
                Mat affine = Imgproc.getRotationMatrix2D(new Point(cx, cy), 0, scale);
                temps.add(affine);
                Imgproc.warpAffine(image, image, affine, new Size(size, size), Imgproc.INTER_LINEAR, Core.BORDER_REFLECT_101);
                if (mask != null) {
                    Imgproc.warpAffine(mask, mask, affine, new Size(size, size), Imgproc.INTER_NEAREST, Core.BORDER_REFLECT_101);
                }
            }
            if (saturation > 0) {
                Mat hsv = new Mat();
                temps.add(hsv);
                Imgproc.cvtColor(image, hsv, Imgproc.COLOR_BGR2HSV);
                List<Mat> ch = new ArrayList<>();
                Core.split(hsv, ch);
                temps.addAll(ch);
                ch.get(1).convertTo(ch.get(1), -1, 1 + (random.nextDouble() * 2 - 1) * saturation, 0);
                Core.merge(ch, hsv);
                Imgproc.cvtColor(hsv, image, Imgproc.COLOR_HSV2BGR);
            }
            if (brightness > 0 || contrast > 0) {
                double alpha = 1 + (random.nextDouble() * 2 - 1) * contrast;
                double beta = (random.nextDouble() * 2 - 1) * brightness * 255;
                // contrast about mid-grey, then shift; convertTo saturates to [0, 255]
                image.convertTo(image, CvType.CV_8UC3, alpha, beta + 128 * (1 - alpha));
            }
            byte[] bgr = new byte[size * size * 3];
            image.get(0, 0, bgr);
            byte[] m = null;
            if (mask != null) {
                m = new byte[size * size];
                mask.get(0, 0, m);
            }
            return new Sample(s.id(), size, bgr, m);
        } finally {
            image.release();
            if (mask != null) {
                mask.release();
            }
            temps.forEach(Mat::release);
        }
    }

    private static void flip(Mat image, Mat mask, int code) {
        Core.flip(image, image, code);
        if (mask != null) {
            Core.flip(mask, mask, code);
        }
    }

}
