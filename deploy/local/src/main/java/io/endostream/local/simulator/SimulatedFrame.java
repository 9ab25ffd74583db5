package io.endostream.local.simulator;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/** One rendered frame and its ground truth. Owns its Mats: close it (try-with-resources) to release them. */
public final class SimulatedFrame implements AutoCloseable {

    private final int index;
    private final Mat image;
    private final Mat mask;
    private final int polypCount;

    SimulatedFrame(int index, Mat image, Mat mask, int polypCount) {
        this.index = index;
        this.image = image;
        this.mask = mask;
        this.polypCount = polypCount;
    }

    /** Position in the simulator's video, from 0. */
    public int index() {
        return index;
    }

    /** The frame, CV_8UC3 BGR. */
    public Mat image() {
        return image;
    }

    /** Ground truth, CV_8UC1: 255 where a polyp is, 0 elsewhere. */
    public Mat mask() {
        return mask;
    }

    /** Polyps visible in this frame (0 means the mask is all black). */
    public int polypCount() {
        return polypCount;
    }

    /** The image as JPEG at {@code quality} (1..100). */
    public byte[] jpeg(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality must be in 1..100, was " + quality);
        }
        return encode(".jpg", image, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, quality));
    }

    /** The image as lossless PNG. */
    public byte[] png() {
        return encode(".png", image, new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, 3));
    }

    /** The mask as an 8-bit grayscale PNG with values 0 and 255 (lossless, readable by any decoder). */
    public byte[] maskPng() {
        return encode(".png", mask, new MatOfInt(Imgcodecs.IMWRITE_PNG_COMPRESSION, 3));
    }

    private static byte[] encode(String extension, Mat mat, MatOfInt params) {
        MatOfByte buffer = new MatOfByte();
        try {
            if (!Imgcodecs.imencode(extension, mat, buffer, params)) {
                throw new IllegalStateException("OpenCV could not encode the frame as " + extension);
            }
            return buffer.toArray();
        } finally {
            buffer.release();
            params.release();
        }
    }

    @Override
    public void close() {
        image.release();
        mask.release();
    }
}
