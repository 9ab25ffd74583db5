package io.endostream.trainer.dataset;

import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;

/** Decoding, resizing and hashing of image files with OpenCV; every failure names the file. */
public final class ImageFiles {
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp");
    public static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "avi", "mov", "mkv", "mpg", "mpeg", "wmv", "m4v");

    private ImageFiles() {
    }

    public static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    public static String baseName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    public static boolean isImage(Path file) {
        return Files.isRegularFile(file) && IMAGE_EXTENSIONS.contains(extension(file));
    }

    public static boolean isVideo(Path file) {
        return Files.isRegularFile(file) && VIDEO_EXTENSIONS.contains(extension(file));
    }

    /** Decodes a colour image (BGR, 8 bit); the caller releases the Mat. */
    public static Mat readColour(Path file) {
        return read(file, Imgcodecs.IMREAD_COLOR);
    }

    /** Decodes a mask as one 8-bit channel; the caller releases the Mat. */
    public static Mat readGrey(Path file) {
        return read(file, Imgcodecs.IMREAD_GRAYSCALE);
    }

    private static Mat read(Path file, int flags) {
        OpenCvNatives.load();
        if (!Files.isRegularFile(file)) {
            throw new DatasetException(file, "file does not exist");
        }
        // imdecode on the bytes instead of imread: imread cannot tell "missing" from "corrupt" and mangles non-ASCII paths.
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot read: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw new DatasetException(file, "empty file");
        }
        Mat encoded = new Mat(1, bytes.length, CvType.CV_8UC1);
        try {
            encoded.put(0, 0, bytes);
            Mat decoded = Imgcodecs.imdecode(encoded, flags);
            if (decoded.empty()) {
                decoded.release();
                throw new DatasetException(file, "corrupt or unsupported image (OpenCV could not decode its "
                        + bytes.length + " bytes)");
            }
            return decoded;
        } finally {
            encoded.release();
        }
    }

    /** Resizes (area interpolation when shrinking) to size x size BGR bytes. Does not release src. */
    public static byte[] toSquareBgr(Mat src, int size) {
        Mat resized = new Mat();
        try {
            int interpolation = src.cols() > size ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR;
            Imgproc.resize(src, resized, new Size(size, size), 0, 0, interpolation);
            byte[] out = new byte[size * size * 3];
            resized.get(0, 0, out);
            return out;
        } finally {
            resized.release();
        }
    }

    /**
     * Resizes a grey mask (nearest) and binarises it: pixel > 127 -> 1 else 0 (Kvasir's JPEG masks carry noise). A mask
     * stored as 0/1 (its largest value is 1) is read as it is: polyp where the pixel is 1.
     */
    public static byte[] toSquareBinaryMask(Mat grey, int size) {
        Mat resized = new Mat();
        Mat binary = new Mat();
        try {
            Imgproc.resize(grey, resized, new Size(size, size), 0, 0, Imgproc.INTER_NEAREST);
            double max = org.opencv.core.Core.minMaxLoc(grey).maxVal;
            Imgproc.threshold(resized, binary, max == 1 ? 0 : 127, 1, Imgproc.THRESH_BINARY);
            byte[] out = new byte[size * size];
            binary.get(0, 0, out);
            return out;
        } finally {
            resized.release();
            binary.release();
        }
    }

    /** SHA-256 of the decoded pixels (plus the shape): identical content in different files or formats matches. */
    public static String pixelHash(Mat decoded) {
        byte[] pixels = new byte[(int) (decoded.total() * decoded.channels())];
        Mat continuous = decoded.isContinuous() ? decoded : decoded.clone();
        try {
            continuous.get(0, 0, pixels);
        } finally {
            if (continuous != decoded) {
                continuous.release();
            }
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((decoded.rows() + "x" + decoded.cols() + "x" + decoded.channels() + ";").getBytes());
            sha.update(pixels);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Side of the grey thumbnail behind {@link #thumbnailSignature}. */
    public static final int SIGNATURE_SIDE = 16;

    /**
     * Perceptual signature for near-duplicate detection: the central half of the grey image (inside an endoscope's
     * round field of view, away from black borders and overlays that every frame shares) averaged down to 16x16, minus
     * its mean, scaled to unit length. The dot product of two signatures is their correlation: resized, re-encoded or slightly
     * recoloured copies stay near 1 (a pixel hash changes completely), different pictures fall well below.
     */
    public static float[] thumbnailSignature(Mat decoded) {
        Mat grey = new Mat();
        Mat small = new Mat();
        try {
            if (decoded.channels() == 3) {
                Imgproc.cvtColor(decoded, grey, Imgproc.COLOR_BGR2GRAY);
            } else {
                decoded.copyTo(grey);
            }
            Mat centre = grey.submat(new org.opencv.core.Rect(grey.cols() / 4, grey.rows() / 4,
                    Math.max(1, grey.cols() / 2), Math.max(1, grey.rows() / 2)));
            Imgproc.resize(centre, small, new Size(SIGNATURE_SIDE, SIGNATURE_SIDE), 0, 0, Imgproc.INTER_AREA);
            centre.release();
            byte[] px = new byte[SIGNATURE_SIDE * SIGNATURE_SIDE];
            small.get(0, 0, px);
            float[] v = new float[px.length];
            double mean = 0;
            for (int i = 0; i < px.length; i++) {
                v[i] = px[i] & 0xff;
                mean += v[i];
            }
            mean /= px.length;
            double norm = 0;
            for (int i = 0; i < v.length; i++) {
                v[i] -= (float) mean;
                norm += v[i] * v[i];
            }
            float scale = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0;
            for (int i = 0; i < v.length; i++) {
                v[i] *= scale;
            }
            return v;
        } finally {
            grey.release();
            small.release();
        }
    }

    /** Correlation of two {@link #thumbnailSignature}s (1 = same picture). */
    public static double similarity(float[] a, float[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return dot;
    }

    /** Mat from stored BGR bytes; the caller releases it. */
    public static Mat bgrMat(byte[] bgr, int size) {
        OpenCvNatives.load();
        Mat m = new Mat(size, size, CvType.CV_8UC3);
        m.put(0, 0, bgr);
        return m;
    }

    /** Mat from stored 0/1 mask bytes; the caller releases it. */
    public static Mat maskMat(byte[] mask, int size) {
        OpenCvNatives.load();
        Mat m = new Mat(size, size, CvType.CV_8UC1);
        m.put(0, 0, mask);
        return m;
    }

    /** Writes BGR bytes as an image file (PNG/JPEG by extension). */
    public static void write(Path file, Mat image) {
        OpenCvNatives.load();
        if (!Imgcodecs.imwrite(file.toString(), image)) {
            throw new DatasetException(file, "OpenCV could not write the image");
        }
    }

    static void checkSameSize(Mat image, Path imageFile, Mat mask, Path maskFile) {
        if (image.rows() != mask.rows() || image.cols() != mask.cols()) {
            throw new DatasetException(maskFile, "mask is " + mask.cols() + "x" + mask.rows() + " but its image "
                    + imageFile.getFileName() + " is " + image.cols() + "x" + image.rows());
        }
    }

}
