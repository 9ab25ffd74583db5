package io.endostream.inference.frame;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.ImageFormat;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Turns a frame's bytes into BGR pixels with OpenCV.
 *
 * <p>Sizes are read from the header first, so a decompression bomb is refused before a pixel buffer is
 * allocated ({@code maxPixels}). When a JPEG is at least twice the model's input in both directions it is
 * decoded at 1/2, 1/4 or 1/8 scale (libjpeg's DCT scaling): a 1080p frame decodes ~5x faster at 1/4 and the
 * model never sees the lost detail anyway.
 */
public final class FrameDecoder {

    private final long maxPixels;

    /** @param maxPixels largest width x height accepted; larger frames are dead-lettered TOO_MANY_PIXELS */
    public FrameDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be > 0, was " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    /**
     * Decodes {@code frame} for a model whose input is {@code modelWidth} x {@code modelHeight}.
     *
     * @throws MalformedRecordException CORRUPT_IMAGE, TOO_MANY_PIXELS or RAW_SIZE_MISMATCH
     */
    public DecodedFrame decode(Frame frame, int modelWidth, int modelHeight) {
        if (frame.format() == ImageFormat.RAW_BGR24) {
            return decodeRaw(frame);
        }
        ImageHeader header = ImageHeader.read(frame.format(), frame.image());
        checkPixels(header.width(), header.height());
        int reduction = frame.format() == ImageFormat.JPEG
                ? reductionFor(header.width(), header.height(), modelWidth, modelHeight) : 1;
        Mat encoded = new Mat(1, frame.image().length, CvType.CV_8UC1);
        Mat image;
        try {
            encoded.put(0, 0, frame.image());
            image = Imgcodecs.imdecode(encoded, flagFor(reduction));
        } finally {
            encoded.release();
        }
        if (image.empty()) {
            image.release();
            throw new MalformedRecordException(DeadLetterReason.CORRUPT_IMAGE,
                    frame.format().contentType() + " of " + frame.image().length + " bytes could not be decoded");
        }
        int expectedWidth = ceilDiv(header.width(), reduction);
        int expectedHeight = ceilDiv(header.height(), reduction);
        if (image.cols() != expectedWidth || image.rows() != expectedHeight || image.channels() != 3) {
            String got = image.cols() + "x" + image.rows() + "x" + image.channels();
            image.release();
            throw new MalformedRecordException(DeadLetterReason.CORRUPT_IMAGE, "header says " + header.width() + "x"
                    + header.height() + " but decoding gave " + got);
        }
        return new DecodedFrame(image, header.width(), header.height(), reduction);
    }

    private DecodedFrame decodeRaw(Frame frame) {
        checkPixels(frame.width(), frame.height());
        long expected = (long) frame.width() * frame.height() * 3;
        if (frame.image().length != expected) { // FrameCodec checks this too; keep the decoder safe on its own
            throw new MalformedRecordException(DeadLetterReason.RAW_SIZE_MISMATCH, "raw BGR24 " + frame.width() + "x"
                    + frame.height() + " needs " + expected + " bytes, got " + frame.image().length);
        }
        Mat image = new Mat(frame.height(), frame.width(), CvType.CV_8UC3);
        image.put(0, 0, frame.image());
        return new DecodedFrame(image, frame.width(), frame.height(), 1);
    }

    private void checkPixels(int width, int height) {
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new MalformedRecordException(DeadLetterReason.TOO_MANY_PIXELS, width + "x" + height + " = " + pixels
                    + " pixels exceeds the limit of " + maxPixels + " (endostream.inference.limits.max-pixels)");
        }
    }

    /** Largest of 1, 2, 4, 8 that keeps the decoded image at least as large as the model input. */
    static int reductionFor(int width, int height, int modelWidth, int modelHeight) {
        int reduction = 1;
        while (reduction < 8 && width / (reduction * 2) >= modelWidth && height / (reduction * 2) >= modelHeight) {
            reduction *= 2;
        }
        return reduction;
    }

    /**
     * EXIF orientation is ignored on purpose: masks align with the stored pixels, so a mask is always the size the
     * image header states (a rotated decode of orientations 5-8 would swap width and height).
     */
    private static int flagFor(int reduction) {
        return Imgcodecs.IMREAD_IGNORE_ORIENTATION | switch (reduction) {
            case 2 -> Imgcodecs.IMREAD_REDUCED_COLOR_2;
            case 4 -> Imgcodecs.IMREAD_REDUCED_COLOR_4;
            case 8 -> Imgcodecs.IMREAD_REDUCED_COLOR_8;
            default -> Imgcodecs.IMREAD_COLOR;
        };
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
