package io.endostream.local.loadgen;

import io.endostream.contracts.frame.ImageFormat;
import io.endostream.local.simulator.EndoscopySimulator;
import io.endostream.local.simulator.SimulatedFrame;
import io.endostream.local.stream.RecordingPublisher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames prepared once before a run and then sent in a cycle, so that rendering or encoding costs nothing while the
 * clock runs (it would otherwise compete with the system under test for the same cores and distort its timing).
 *
 * @param images JPEG or PNG bytes, as sent
 * @param formats the format of each image
 * @param width frame width (0 when mixed, from a folder)
 * @param height frame height (0 when mixed)
 */
public record FrameSet(List<byte[]> images, List<ImageFormat> formats, int width, int height, String description) {

    public FrameSet {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a frame set needs at least one image");
        }
    }

    /** {@code count} consecutive simulator frames (one simulated video) as JPEG of the given quality. */
    public static FrameSet simulated(int count, int width, int height, long seed, int quality) {
        List<byte[]> images = new ArrayList<>();
        try (EndoscopySimulator simulator = new EndoscopySimulator(seed, width, height)) {
            for (int i = 0; i < count; i++) {
                try (SimulatedFrame frame = simulator.next()) {
                    images.add(frame.jpeg(quality));
                }
            }
        }
        return new FrameSet(images, images.stream().map(i -> ImageFormat.JPEG).toList(), width, height,
                count + " simulated " + width + "x" + height + " JPEG frames (q" + quality + ")");
    }

    /** The JPEG and PNG files of a folder (e.g. a Kvasir-SEG images/ folder, or frames extracted from a video). */
    public static FrameSet folder(Path dir, int limit) {
        List<byte[]> images = new ArrayList<>();
        List<ImageFormat> formats = new ArrayList<>();
        for (Path file : RecordingPublisher.imagesIn(dir)) {
            if (images.size() >= limit) {
                break;
            }
            try {
                byte[] bytes = Files.readAllBytes(file);
                ImageFormat.sniff(bytes).ifPresent(format -> {
                    images.add(bytes);
                    formats.add(format);
                });
            } catch (IOException e) {
                throw new UncheckedIOException("Could not read " + file + ": " + e.getMessage(), e);
            }
        }
        if (images.isEmpty()) {
            throw new IllegalArgumentException("--images: no JPEG or PNG files in " + dir);
        }
        return new FrameSet(images, formats, 0, 0, images.size() + " images from " + dir);
    }

    public int size() {
        return images.size();
    }

    public double meanBytes() {
        return images.stream().mapToInt(i -> i.length).average().orElse(0);
    }
}
