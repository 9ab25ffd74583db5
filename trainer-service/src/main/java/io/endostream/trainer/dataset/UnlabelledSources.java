package io.endostream.trainer.dataset;

import org.opencv.core.Mat;
import org.opencv.videoio.VideoCapture;
import org.opencv.videoio.Videoio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Unlabelled frames for pretraining: image folders (recursive, e.g. Kvasir v2's class folders), single images and
 * video files (every n-th frame via OpenCV VideoCapture). Frames whose decoded pixels hash to an evaluation image are
 * excluded and counted (the leakage guard): Kvasir-SEG's images come from Kvasir's polyp class.
 */
public final class UnlabelledSources {

    /** What was loaded and what the leakage guard excluded (exact pixel copies and near duplicates together). */
    public record Loaded(List<Sample> samples, int imagesRead, int videoFramesRead, int excludedAsEvaluation,
                         List<String> excludedIds, int excludedAsNearDuplicate) {
        public Loaded(List<Sample> samples, int imagesRead, int videoFramesRead, int excludedAsEvaluation,
                      List<String> excludedIds) {
            this(samples, imagesRead, videoFramesRead, excludedAsEvaluation, excludedIds, 0);
        }
    }

    /** Smallest thumbnail correlation that counts as a near duplicate of an evaluation image. */
    public static final double NEAR_DUPLICATE_SIMILARITY = 0.98;

    private List<float[]> evaluationSignatures = List.of();
    private int nearDuplicates;

    /**
     * Also excludes frames whose {@link ImageFiles#thumbnailSignature} correlates at least
     * {@value #NEAR_DUPLICATE_SIMILARITY} with one of these (resized or re-encoded copies of evaluation images, which
     * the pixel hash misses).
     */
    public UnlabelledSources withNearDuplicateGuard(List<float[]> evaluationSignatures) {
        this.evaluationSignatures = List.copyOf(evaluationSignatures);
        return this;
    }

    private boolean evaluationFrame(Mat m, Set<String> evaluationHashes) {
        if (evaluationHashes.contains(ImageFiles.pixelHash(m))) {
            return true;
        }
        if (!evaluationSignatures.isEmpty()) {
            float[] sig = ImageFiles.thumbnailSignature(m);
            for (float[] e : evaluationSignatures) {
                if (ImageFiles.similarity(sig, e) >= NEAR_DUPLICATE_SIMILARITY) {
                    nearDuplicates++;
                    return true;
                }
            }
        }
        return false;
    }

    private final List<Path> sources;
    private final int videoFrameStep;
    private final int maxFrames;

    /**
     * @param sources        folders, image files or video files
     * @param videoFrameStep keep every n-th video frame (>= 1)
     * @param maxFrames      stop after this many kept frames (0 = no limit)
     */
    public UnlabelledSources(List<Path> sources, int videoFrameStep, int maxFrames) {
        if (videoFrameStep < 1) {
            throw new IllegalArgumentException("video frame step must be >= 1, was " + videoFrameStep);
        }
        this.sources = List.copyOf(sources);
        this.videoFrameStep = videoFrameStep;
        this.maxFrames = maxFrames;
    }

    /** Every image and video file under the sources, sorted for reproducibility. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (Path source : sources) {
            if (Files.isDirectory(source)) {
                try (Stream<Path> walk = Files.walk(source)) {
                    walk.filter(f -> ImageFiles.isImage(f) || ImageFiles.isVideo(f))
                            .filter(f -> !f.getFileName().toString().startsWith("."))
                            .sorted(Comparator.comparing(Path::toString))
                            .forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot walk " + source, e);
                }
            } else if (ImageFiles.isImage(source) || ImageFiles.isVideo(source)) {
                out.add(source);
            } else {
                throw new DatasetException(source, "not a folder, image or video file");
            }
        }
        return out;
    }

    /**
     * Decodes every frame at size x size, skipping frames whose pixel hash is in {@code evaluationHashes}.
     */
    public Loaded load(int size, Set<String> evaluationHashes) {
        OpenCvNatives.load();
        List<Sample> samples = new ArrayList<>();
        List<String> excluded = new ArrayList<>();
        nearDuplicates = 0;
        int images = 0;
        int videoFrames = 0;
        for (Path file : files()) {
            if (full(samples)) {
                break;
            }
            if (ImageFiles.isImage(file)) {
                Mat m = ImageFiles.readColour(file);
                try {
                    images++;
                    if (evaluationFrame(m, evaluationHashes)) {
                        excluded.add(file.toString());
                    } else {
                        samples.add(new Sample(file.getFileName().toString(), size, ImageFiles.toSquareBgr(m, size), null));
                    }
                } finally {
                    m.release();
                }
            } else {
                videoFrames += readVideo(file, size, evaluationHashes, samples, excluded);
            }
        }
        return new Loaded(samples, images, videoFrames, excluded.size(), excluded, nearDuplicates);
    }

    private boolean full(List<Sample> samples) {
        return maxFrames > 0 && samples.size() >= maxFrames;
    }

    private int readVideo(Path file, int size, Set<String> evaluationHashes, List<Sample> samples, List<String> excluded) {
        VideoCapture capture = new VideoCapture(file.toString(), Videoio.CAP_ANY);
        Mat frame = new Mat();
        int index = 0;
        int read = 0;
        try {
            if (!capture.isOpened()) {
                throw new DatasetException(file, "OpenCV VideoCapture cannot open this video (unsupported codec or corrupt file)");
            }
            while (!full(samples) && capture.read(frame)) {
                if (frame.empty()) {
                    break;
                }
                if (index % videoFrameStep == 0) {
                    read++;
                    String id = file.getFileName() + "#" + index;
                    if (evaluationFrame(frame, evaluationHashes)) {
                        excluded.add(file + "#" + index);
                    } else {
                        samples.add(new Sample(id, size, ImageFiles.toSquareBgr(frame, size), null));
                    }
                }
                index++;
            }
            if (index == 0) {
                throw new DatasetException(file, "video has no decodable frame");
            }
        } finally {
            frame.release();
            capture.release();
        }
        return read;
    }
}
