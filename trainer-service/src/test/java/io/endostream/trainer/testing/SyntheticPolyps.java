package io.endostream.trainer.testing;

import io.endostream.trainer.dataset.OpenCvNatives;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Tiny Kvasir-SEG-layout datasets drawn with OpenCV (pinkish background, a darker red ellipse = polyp). */
public final class SyntheticPolyps {
    static {
        OpenCvNatives.load();
    }

    private SyntheticPolyps() {
    }

    public static Mat image(Random r, int w, int h, Mat maskOut) {
        OpenCvNatives.load();
        Mat img = new Mat(h, w, CvType.CV_8UC3, new Scalar(120 + r.nextInt(30), 130 + r.nextInt(30), 200 + r.nextInt(40)));
        Mat noise = new Mat(h, w, CvType.CV_8UC3);
        Core.randu(noise, 0, 25);
        Core.add(img, noise, img);
        noise.release();
        maskOut.create(h, w, CvType.CV_8UC1);
        maskOut.setTo(new Scalar(0));
        Point c = new Point(w * (0.3 + 0.4 * r.nextDouble()), h * (0.3 + 0.4 * r.nextDouble()));
        Size axes = new Size(w * (0.1 + 0.15 * r.nextDouble()), h * (0.1 + 0.15 * r.nextDouble()));
        double angle = r.nextDouble() * 180;
        Imgproc.ellipse(img, c, axes, angle, 0, 360, new Scalar(60, 60, 150), -1);
        Imgproc.ellipse(maskOut, c, axes, angle, 0, 360, new Scalar(255), -1);
        return img;
    }

    /** Writes images/NAME.jpg and masks/NAME.<maskExt> (png or jpg). */
    public static void writeLabelled(Path dir, int count, long seed, int w, int h, String maskExt) {
        try {
            Files.createDirectories(dir.resolve("images"));
            Files.createDirectories(dir.resolve("masks"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            Mat mask = new Mat();
            Mat img = image(r, w, h, mask);
            String name = String.format("img_%04d", i);
            Imgcodecs.imwrite(dir.resolve("images/" + name + ".jpg").toString(), img);
            Imgcodecs.imwrite(dir.resolve("masks/" + name + "." + maskExt).toString(), mask);
            img.release();
            mask.release();
        }
    }

    public static void writeUnlabelled(Path dir, int count, long seed, int w, int h) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            Mat mask = new Mat();
            Mat img = image(r, w, h, mask);
            Imgcodecs.imwrite(dir.resolve(String.format("u_%04d.jpg", i)).toString(), img);
            img.release();
            mask.release();
        }
    }

    /**
     * Frames of random coloured 8x8 blocks: no two alike and nothing a deep bottleneck could memorise, so a network
     * can only reconstruct them by passing pixels through its skip connections.
     */
    public static void writeRandomBlocks(Path dir, int count, long seed, int size) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Random r = new Random(seed);
        for (int i = 0; i < count; i++) {
            Mat img = new Mat(size, size, CvType.CV_8UC3);
            for (int y = 0; y < size; y += 8) {
                for (int x = 0; x < size; x += 8) {
                    Imgproc.rectangle(img, new Point(x, y), new Point(x + 7, y + 7),
                            new Scalar(r.nextInt(256), r.nextInt(256), r.nextInt(256)), -1);
                }
            }
            Imgcodecs.imwrite(dir.resolve(String.format("b_%04d.png", i)).toString(), img);
            img.release();
        }
    }
}
