package io.endostream.contracts.frame;

import java.util.Objects;

/**
 * One video frame of one stream.
 *
 * @param streamId          the record key: one stream per procedure room / device
 * @param frameId           unique, stable across redelivery (default {@code <topic>-<partition>-<offset>})
 * @param sequence          per-stream sequence number (default: the record offset)
 * @param captureTimeMillis capture time, epoch ms (default: the record timestamp)
 * @param format            how {@code image} is encoded
 * @param width             pixels; 0 for JPEG/PNG (unknown until decoded)
 * @param height            pixels; 0 for JPEG/PNG (unknown until decoded)
 * @param image             the record value, shared not copied: do not modify it
 */
public record Frame(String streamId, String frameId, long sequence, long captureTimeMillis, ImageFormat format,
                    int width, int height, byte[] image) {

    public Frame {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(frameId, "frameId");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(image, "image");
    }

    @Override
    public String toString() {
        return "Frame[streamId=" + streamId + ", frameId=" + frameId + ", sequence=" + sequence
                + ", captureTimeMillis=" + captureTimeMillis + ", format=" + format + ", width=" + width
                + ", height=" + height + ", image=" + image.length + " bytes]";
    }
}
