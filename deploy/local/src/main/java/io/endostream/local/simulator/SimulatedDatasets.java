package io.endostream.local.simulator;

import io.endostream.local.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes simulated datasets to disk, in the layouts the trainer reads.
 *
 * <p>Images are sampled across many simulated videos (a new seed-derived patient every {@value #IMAGES_PER_VIDEO}
 * images, frames far apart within one), so a dataset varies in mucosa colour, folds, vessels and polyps.
 */
public final class SimulatedDatasets {

    /** Images taken from one simulated video before moving to the next. */
    static final int IMAGES_PER_VIDEO = 20;
    /** Labelled sets are mostly positives, like Kvasir-SEG; this share of images may show no polyp. */
    static final double NEGATIVE_SHARE = 0.1;
    private static final int JPEG_QUALITY = 92;

    private SimulatedDatasets() {
    }

    /**
     * Kvasir-SEG layout: {@code dir/images/frame_00000.jpg} and {@code dir/masks/frame_00000.png} (same base name;
     * masks are lossless 8-bit PNG with values 0 and 255). Deterministic from the seed.
     */
    public static void writeLabelled(Path dir, int count, long seed, int width, int height) {
        write(dir, count, seed, width, height, true);
    }

    /** A folder of unlabelled frames: {@code dir/frame_00000.jpg}. Deterministic from the seed. */
    public static void writeUnlabelled(Path dir, int count, long seed, int width, int height) {
        write(dir, count, seed, width, height, false);
    }

    private static void write(Path dir, int count, long seed, int width, int height, boolean labelled) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, was " + count);
        }
        Path images = labelled ? dir.resolve("images") : dir;
        Path masks = dir.resolve("masks");
        try {
            Files.createDirectories(images);
            if (labelled) {
                Files.createDirectories(masks);
            }
            Random rng = new Random(seed);
            EndoscopySimulator simulator = null;
            try {
                for (int i = 0; i < count; i++) {
                    if (i % IMAGES_PER_VIDEO == 0) {
                        if (simulator != null) {
                            simulator.close();
                        }
                        simulator = new EndoscopySimulator(EndoscopySimulator.mix(seed, i), width, height);
                    }
                    try (SimulatedFrame frame = pick(simulator, rng, labelled)) {
                        String name = String.format("frame_%05d", i);
                        Files.write(images.resolve(name + ".jpg"), frame.jpeg(JPEG_QUALITY));
                        if (labelled) {
                            Files.write(masks.resolve(name + ".png"), frame.maskPng());
                        }
                    }
                }
            } finally {
                if (simulator != null) {
                    simulator.close();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the simulated dataset to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code seconds} of one simulated video as a Motion-JPEG AVI (OpenCV's built-in writer, no codec needed),
     * at {@link EndoscopySimulator#FRAMES_PER_SECOND} frames per second: a stand-in for a recorded procedure.
     */
    public static void writeVideo(Path file, double seconds, long seed, int width, int height) {
        Native.loadOpenCv();
        int frames = (int) Math.max(1, Math.round(seconds * EndoscopySimulator.FRAMES_PER_SECOND));
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the folder of " + file + ": " + e.getMessage(), e);
        }
        org.opencv.videoio.VideoWriter writer = new org.opencv.videoio.VideoWriter(file.toString(),
                org.opencv.videoio.Videoio.CAP_OPENCV_MJPEG, org.opencv.videoio.VideoWriter.fourcc('M', 'J', 'P', 'G'),
                EndoscopySimulator.FRAMES_PER_SECOND, new org.opencv.core.Size(width, height), true);
        try (EndoscopySimulator simulator = new EndoscopySimulator(seed, width, height)) {
            if (!writer.isOpened()) {
                throw new IllegalStateException("OpenCV could not open " + file + " for writing (use a .avi name)");
            }
            for (int i = 0; i < frames; i++) {
                try (SimulatedFrame frame = simulator.next()) {
                    writer.write(frame.image());
                }
            }
        } finally {
            writer.release();
        }
    }

    /** A frame from somewhere in the video; for labelled sets, one that shows a polyp unless this is a negative. */
    private static SimulatedFrame pick(EndoscopySimulator simulator, Random rng, boolean labelled) {
        boolean wantPolyp = labelled && rng.nextDouble() >= NEGATIVE_SHARE;
        SimulatedFrame frame = simulator.frame(rng.nextInt(25 * 60 * 20));
        for (int attempt = 0; wantPolyp && frame.polypCount() == 0 && attempt < 30; attempt++) {
            frame.close();
            frame = simulator.frame(rng.nextInt(25 * 60 * 20));
        }
        return frame;
    }
}
