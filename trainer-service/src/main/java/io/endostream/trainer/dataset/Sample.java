package io.endostream.trainer.dataset;

import java.util.Objects;

/**
 * One image at the model's input size, held on the Java heap so thousands fit without native memory.
 *
 * @param id    base name of the source file (or "video.mp4#frame123" for video frames)
 * @param size  width == height of the stored image
 * @param bgr   size*size*3 bytes, OpenCV's BGR order, row-major
 * @param mask  size*size bytes of 0/1 or null for unlabelled samples
 */
public record Sample(String id, int size, byte[] bgr, byte[] mask) {
    public Sample {
        Objects.requireNonNull(id, "id");
        if (bgr.length != size * size * 3) {
            throw new IllegalArgumentException("bgr has " + bgr.length + " bytes, expected " + size * size * 3);
        }
        if (mask != null && mask.length != size * size) {
            throw new IllegalArgumentException("mask has " + mask.length + " bytes, expected " + size * size);
        }
    }

    public boolean labelled() {
        return mask != null;
    }
}
