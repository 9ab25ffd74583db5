package io.endostream.trainer.dataset;

import org.opencv.core.Mat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A labelled dataset in the Kvasir-SEG layout: {@code root/images/NAME.ext} and {@code root/masks/NAME.ext}, matched by
 * base name so Kvasir's JPEG masks and the simulator's PNG masks both work. Masks are binarised (> 127 is polyp).
 */
public final class KvasirSegDataset {
    /** One image/mask pair on disk. */
    public record Pair(String id, Path image, Path mask) {
    }

    private final Path root;
    private final List<Pair> pairs;

    private KvasirSegDataset(Path root, List<Pair> pairs) {
        this.root = root;
        this.pairs = List.copyOf(pairs);
    }

    /**
     * Lists and matches the files. Throws {@link DatasetException} naming the file for a missing folder, an image
     * without a mask, a mask without an image, or two files with the same base name.
     */
    public static KvasirSegDataset open(Path root) {
        Path images = root.resolve("images");
        Path masks = root.resolve("masks");
        if (!Files.isDirectory(images)) {
            throw new DatasetException(images, "missing folder: a Kvasir-SEG dataset has images/ and masks/");
        }
        if (!Files.isDirectory(masks)) {
            throw new DatasetException(masks, "missing folder: a Kvasir-SEG dataset has images/ and masks/");
        }
        Map<String, Path> imageByName = byBaseName(images);
        Map<String, Path> maskByName = byBaseName(masks);
        List<Pair> pairs = new ArrayList<>();
        for (Map.Entry<String, Path> e : imageByName.entrySet()) {
            Path mask = maskByName.get(e.getKey());
            if (mask == null) {
                throw new DatasetException(e.getValue(), "no mask with base name '" + e.getKey() + "' in " + masks);
            }
            pairs.add(new Pair(e.getKey(), e.getValue(), mask));
        }
        for (Map.Entry<String, Path> e : maskByName.entrySet()) {
            if (!imageByName.containsKey(e.getKey())) {
                throw new DatasetException(e.getValue(), "no image with base name '" + e.getKey() + "' in " + images);
            }
        }
        if (pairs.isEmpty()) {
            throw new DatasetException(images, "no images found");
        }
        return new KvasirSegDataset(root, pairs);
    }

    private static Map<String, Path> byBaseName(Path dir) {
        Map<String, Path> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).sorted(Comparator.comparing(Path::toString)).toList()) {
                if (f.getFileName().toString().startsWith(".")) {
                    continue; // .DS_Store and friends
                }
                if (!ImageFiles.IMAGE_EXTENSIONS.contains(ImageFiles.extension(f))) {
                    throw new DatasetException(f, "not an image file (expected one of " + ImageFiles.IMAGE_EXTENSIONS + ")");
                }
                Path previous = out.put(ImageFiles.baseName(f), f);
                if (previous != null) {
                    throw new DatasetException(f, "same base name as " + previous.getFileName());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    public Path root() {
        return root;
    }

    public List<Pair> pairs() {
        return pairs;
    }

    public int size() {
        return pairs.size();
    }

    /** Decodes one pair, checks the sizes match and resizes both to size x size (mask binarised). */
    public static Sample load(Pair pair, int size) {
        Mat image = ImageFiles.readColour(pair.image());
        try {
            Mat mask = ImageFiles.readGrey(pair.mask());
            try {
                ImageFiles.checkSameSize(image, pair.image(), mask, pair.mask());
                return new Sample(pair.id(), size, ImageFiles.toSquareBgr(image, size), ImageFiles.toSquareBinaryMask(mask, size));
            } finally {
                mask.release();
            }
        } finally {
            image.release();
        }
    }

    /** Loads the given pairs at the model's input size. */
    public static List<Sample> load(List<Pair> pairs, int size) {
        List<Sample> out = new ArrayList<>(pairs.size());
        for (Pair p : pairs) {
            out.add(load(p, size));
        }
        return out;
    }

    /** Perceptual {@link ImageFiles#thumbnailSignature} of each image, for the leakage guard's near-duplicate check. */
    public static List<float[]> signatures(List<Pair> pairs) {
        List<float[]> out = new ArrayList<>(pairs.size());
        for (Pair p : pairs) {
            Mat image = ImageFiles.readColour(p.image());
            try {
                out.add(ImageFiles.thumbnailSignature(image));
            } finally {
                image.release();
            }
        }
        return out;
    }

    /** SHA-256 of each image's decoded pixels, for the leakage guard. */
    public static List<String> pixelHashes(List<Pair> pairs) {
        List<String> out = new ArrayList<>(pairs.size());
        for (Pair p : pairs) {
            Mat image = ImageFiles.readColour(p.image());
            try {
                out.add(ImageFiles.pixelHash(image));
            } finally {
                image.release();
            }
        }
        return out;
    }
}
