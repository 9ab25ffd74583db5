package io.endostream.inference.frame;

import org.opencv.core.Mat;

/**
 * A decoded frame: BGR pixels, possibly at a reduced scale, and the frame's full size (the mask is produced
 * at the full size). Owns the Mat: close it.
 *
 * @param image     CV_8UC3 BGR pixels, {@code width/reduction} x {@code height/reduction} (rounded up)
 * @param width     the frame's width in pixels
 * @param height    the frame's height in pixels
 * @param reduction 1, 2, 4 or 8: the JPEG DCT scaling used
 */
public record DecodedFrame(Mat image, int width, int height, int reduction) implements AutoCloseable {
    @Override
    public void close() {
        image.release();
    }
}
