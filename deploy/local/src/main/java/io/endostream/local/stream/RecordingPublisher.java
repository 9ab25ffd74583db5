package io.endostream.local.stream;

import io.endostream.contracts.StreamIds;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.local.Native;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.videoio.VideoCapture;
import org.opencv.videoio.Videoio;

/** Replays a recorded video or a folder of images to Kafka as one stream of frames, paced in real time. */
public final class RecordingPublisher {

    /** Image files a folder may hold; JPEG and PNG are sent as they are, the others re-encoded as JPEG. */
    public static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp");

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final String streamId;
    private final int jpegQuality;
    private final PrintStream log;
    private final StreamStats stats = new StreamStats();
    private final String runId = RunIds.newRunId();
    private long sequence;
    private double fps;
    private Pacer pacer;
    private long pacingOrigin;

    public RecordingPublisher(KafkaProducer<byte[], byte[]> producer, String topic, String streamId, int jpegQuality,
            PrintStream log) {
        if (!StreamIds.isValid(streamId)) {
            throw new IllegalArgumentException("--stream-id: " + StreamIds.describeInvalid(streamId));
        }
        if (jpegQuality < 1 || jpegQuality > 100) {
            throw new IllegalArgumentException("JPEG quality must be in 1..100, was " + jpegQuality);
        }
        Native.loadOpenCv();
        this.producer = producer;
        this.topic = topic;
        this.streamId = streamId;
        this.jpegQuality = jpegQuality;
        this.log = log;
    }

    /** The frame rate a video declares, if OpenCV can open it and it says. */
    public static Optional<Double> videoFps(Path video) {
        Native.loadOpenCv();
        VideoCapture capture = new VideoCapture(video.toString());
        try {
            double fps = capture.isOpened() ? capture.get(Videoio.CAP_PROP_FPS) : 0;
            return fps > 0 && fps < 1000 ? Optional.of(fps) : Optional.empty();
        } finally {
            capture.release();
        }
    }

    /** Publishes every frame of {@code video} at {@code fps}, from the start again when {@code loop}. */
    public StreamStats publishVideo(Path video, double fps, boolean loop, AtomicBoolean stop) throws InterruptedException {
        if (!Files.isRegularFile(video)) {
            throw new IllegalArgumentException("video file not found: " + video);
        }
        startPacing(fps);
        Mat image = new Mat();
        try {
            do {
                VideoCapture capture = new VideoCapture(video.toString());
                try {
                    if (!capture.isOpened()) {
                        throw new IllegalArgumentException("OpenCV cannot open the video " + video
                                + " (unsupported container or codec)");
                    }
                    long before = sequence;
                    while (!stop.get() && capture.read(image) && !image.empty()) {
                        await();
                        send(encodeJpeg(image), ImageFormat.JPEG, image.cols(), image.rows());
                    }
                    if (sequence == before && !stop.get()) {
                        throw new IllegalArgumentException("no frame could be read from the video " + video);
                    }
                } finally {
                    capture.release();
                }
            } while (loop && !stop.get());
        } finally {
            image.release();
        }
        producer.flush();
        return stats;
    }

    /** Publishes the images of {@code dir} in file-name order at {@code fps}, from the first again when {@code loop}. */
    public StreamStats publishImages(Path dir, double fps, boolean loop, AtomicBoolean stop)
            throws InterruptedException {
        List<Path> files = imagesIn(dir);
        startPacing(fps);
        do {
            long before = sequence;
            for (Path file : files) {
                if (stop.get()) {
                    break;
                }
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("Could not read " + file + ": " + e.getMessage(), e);
                }
                Mat image = Imgcodecs.imdecode(new MatOfByte(bytes), Imgcodecs.IMREAD_COLOR);
                try {
                    if (image.empty()) {
                        log.println("skipped " + file + ": not a readable image");
                        continue;
                    }
                    await();
                    Optional<ImageFormat> format = ImageFormat.sniff(bytes);
                    if (format.isPresent() && format.get() != ImageFormat.RAW_BGR24) {
                        send(bytes, format.get(), image.cols(), image.rows());
                    } else {
                        send(encodeJpeg(image), ImageFormat.JPEG, image.cols(), image.rows());
                    }
                } finally {
                    image.release();
                }
            }
            if (sequence == before && !stop.get()) {
                throw new IllegalArgumentException("none of the images in " + dir + " could be read");
            }
        } while (loop && !stop.get());
        producer.flush();
        return stats;
    }

    /** Image files of a folder, sorted by name. */
    public static List<Path> imagesIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("image folder not found: " + dir);
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> files = entries.filter(Files::isRegularFile)
                    .filter(p -> IMAGE_EXTENSIONS.contains(extension(p)))
                    .sorted()
                    .toList();
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no images (" + String.join(", ", IMAGE_EXTENSIONS.stream().sorted()
                        .toList()) + ") in " + dir);
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String extension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private void startPacing(double fps) {
        if (!(fps > 0) || fps > 1000) {
            throw new IllegalArgumentException("fps must be in (0, 1000], was " + fps);
        }
        this.fps = fps;
        this.pacer = null;
    }

    /** Waits until the next frame is due; the clock starts with the first frame (after the producer's warm-up). */
    private void await() throws InterruptedException {
        if (pacer == null) {
            pacer = new Pacer(fps);
            pacingOrigin = sequence;
        } else if (!pacer.awaitFrame(sequence - pacingOrigin)) {
            stats.countLate();
        }
    }

    private void send(byte[] image, ImageFormat format, int width, int height) {
        long seq = sequence++;
        Frame frame = new Frame(streamId, RunIds.frameId(streamId, runId, seq), seq, System.currentTimeMillis(), format, width, height,
                image);
        FrameProducers.send(producer, topic, FrameCodec.encode(frame), stats);
    }

    private byte[] encodeJpeg(Mat image) {
        MatOfByte buffer = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, jpegQuality);
        try {
            if (!Imgcodecs.imencode(".jpg", image, buffer, params)) {
                throw new IllegalStateException("OpenCV could not encode a frame as JPEG");
            }
            return buffer.toArray();
        } finally {
            buffer.release();
            params.release();
        }
    }

    /** This publisher's run id: part of every frame id it sends ({@link RunIds}). */
    public String runId() {
        return runId;
    }

    public StreamStats stats() {
        return stats;
    }
}
