package io.endostream.inference.frame;

import io.endostream.contracts.DeadLetterReason;
import io.endostream.contracts.MalformedRecordException;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.ImageFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Real OpenCV decoding of the frames cameras send, and refusal of the ones they should not. */
class FrameDecoderTest {

    @BeforeAll
    static void openCv() {
        OpenCv.load();
    }

    @Test
    void largeJpegIsDecodedAtReducedScaleButReportsItsFullSize() {
        byte[] jpeg = encode(".jpg", 1920, 1080);
        try (DecodedFrame d = new FrameDecoder(16_000_000).decode(frame(ImageFormat.JPEG, jpeg), 128, 128)) {
            assertEquals(1920, d.width());
            assertEquals(1080, d.height());
            assertEquals(8, d.reduction());
            assertEquals(240, d.image().cols());
            assertEquals(135, d.image().rows());
        }
        assertEquals(4, FrameDecoder.reductionFor(720, 576, 128, 128));
        assertEquals(2, FrameDecoder.reductionFor(720, 576, 256, 256));
        assertEquals(1, FrameDecoder.reductionFor(320, 256, 256, 256));
    }

    @Test
    void pngAndRawAreDecodedAtFullSize() {
        try (DecodedFrame d = new FrameDecoder(16_000_000).decode(frame(ImageFormat.PNG, encode(".png", 300, 200)), 128, 128)) {
            assertEquals(1, d.reduction());
            assertEquals(300, d.image().cols());
        }
        byte[] raw = new byte[4 * 2 * 3];
        raw[3] = 7;
        Frame f = new Frame("s", "f", 0, 0, ImageFormat.RAW_BGR24, 4, 2, raw);
        try (DecodedFrame d = new FrameDecoder(100).decode(f, 128, 128)) {
            assertEquals(4, d.image().cols());
            assertArrayEquals(new double[]{7, 0, 0}, d.image().get(0, 1));
        }
    }

    @Test
    void headerSizesAreReadWithoutDecoding() {
        assertEquals(new ImageHeader(640, 480), ImageHeader.read(ImageFormat.JPEG, encode(".jpg", 640, 480)));
        assertEquals(new ImageHeader(33, 17), ImageHeader.read(ImageFormat.PNG, encode(".png", 33, 17)));
    }

    @Test
    void decompressionBombIsRefusedFromItsHeader() {
        byte[] png = encode(".png", 3000, 3000); // a few KB that would decode to 27 MB
        MalformedRecordException e = assertThrows(MalformedRecordException.class,
                () -> new FrameDecoder(4_000_000).decode(frame(ImageFormat.PNG, png), 128, 128));
        assertEquals(DeadLetterReason.TOO_MANY_PIXELS, e.reason());
        assertEquals(true, e.detail().contains("3000x3000"), e.detail());
    }

    @Test
    void truncatedOrDamagedImagesAreCorrupt() {
        byte[] jpeg = encode(".jpg", 320, 240);
        byte[] png = encode(".png", 320, 240);
        for (Frame bad : new Frame[]{frame(ImageFormat.JPEG, Arrays.copyOf(jpeg, jpeg.length / 2)),
                frame(ImageFormat.PNG, Arrays.copyOf(png, png.length - 20)),
                frame(ImageFormat.JPEG, Arrays.copyOf(jpeg, 40))}) {
            MalformedRecordException e = assertThrows(MalformedRecordException.class,
                    () -> new FrameDecoder(16_000_000).decode(bad, 128, 128));
            assertEquals(DeadLetterReason.CORRUPT_IMAGE, e.reason());
        }
    }

    @Test
    void aValidJpegWithBytesAfterItsEndOfImageMarkerDecodes() {
        byte[] jpeg = encode(".jpg", 320, 240);
        byte[] padded = Arrays.copyOf(jpeg, jpeg.length + 4096); // zero padding, as some capture devices append
        byte[] trailer = Arrays.copyOf(jpeg, jpeg.length + 300);
        for (int i = jpeg.length; i < trailer.length; i++) {
            trailer[i] = (byte) (i * 31); // a vendor trailer: arbitrary bytes, FF xx pairs included
        }
        for (byte[] value : new byte[][]{padded, trailer}) {
            try (DecodedFrame d = new FrameDecoder(16_000_000).decode(frame(ImageFormat.JPEG, value), 128, 128)) {
                assertEquals(320, d.width());
                assertEquals(240, d.height());
            }
        }
    }

    @Test
    void exifOrientationIsIgnoredSoTheMaskAlignsWithTheStoredPixels() {
        byte[] jpeg = encode(".jpg", 320, 240);
        for (int orientation = 1; orientation <= 8; orientation++) {
            byte[] exif = withExifOrientation(jpeg, orientation);
            assertEquals(new ImageHeader(320, 240), ImageHeader.read(ImageFormat.JPEG, exif));
            try (DecodedFrame d = new FrameDecoder(16_000_000).decode(frame(ImageFormat.JPEG, exif), 64, 64)) {
                assertEquals(320, d.width(), "orientation " + orientation);
                assertEquals(240, d.height(), "orientation " + orientation);
                assertEquals(ceilDiv(320, d.reduction()), d.image().cols(), "stored, not rotated, orientation " + orientation);
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** The JPEG with an EXIF APP1 segment (big-endian TIFF, one IFD entry: Orientation) right after SOI. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        byte[] app1 = {(byte) 0xFF, (byte) 0xE1, 0, 34, 'E', 'x', 'i', 'f', 0, 0,
                'M', 'M', 0, 0x2A, 0, 0, 0, 8,
                0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0,
                0, 0, 0, 0};
        byte[] out = new byte[jpeg.length + app1.length];
        System.arraycopy(jpeg, 0, out, 0, 2);
        System.arraycopy(app1, 0, out, 2, app1.length);
        System.arraycopy(jpeg, 2, out, 2 + app1.length, jpeg.length - 2);
        return out;
    }

    private static Frame frame(ImageFormat format, byte[] bytes) {
        return new Frame("room-1", "f-1", 0, 0, format, 0, 0, bytes);
    }

    /** A noisy image (so it compresses like a photo) encoded by OpenCV. */
    static byte[] encode(String ext, int width, int height) {
        Mat image = new Mat(height, width, CvType.CV_8UC3, new Scalar(40, 60, 180));
        Mat noise = new Mat(height, width, CvType.CV_8UC3);
        org.opencv.core.Core.randu(noise, 0, 40);
        org.opencv.core.Core.add(image, noise, image);
        MatOfByte out = new MatOfByte();
        try {
            Imgcodecs.imencode(ext, image, out, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90));
            return out.toArray();
        } finally {
            image.release();
            noise.release();
            out.release();
        }
    }
}
