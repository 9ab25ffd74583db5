package io.endostream.inference.stream;

import io.endostream.contracts.WireRecord;
import io.endostream.contracts.frame.Frame;
import io.endostream.contracts.frame.FrameCodec;
import io.endostream.contracts.frame.ImageFormat;
import io.endostream.contracts.mask.Mask;
import io.endostream.contracts.mask.MaskCodec;
import io.endostream.inference.frame.DecodedFrame;
import io.endostream.inference.frame.FrameDecoder;
import io.endostream.inference.mask.MaskEncoder;
import io.endostream.inference.model.LoadedModel;
import io.endostream.inference.model.Postprocessor;
import org.jboss.logging.Logger;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

import java.util.List;

/**
 * Runs a frame's codec path on synthetic frames before the service takes traffic: contract decode, image decode,
 * preprocess, postprocess, 1-bit PNG and the mask record, at the two usual camera sizes. Without it the first few
 * hundred real frames pay for JIT compilation of that path, OpenCV's and libpng's first-call set-up and the heap
 * growing (the issue measured a p99 of 711 ms over the first 500 frames after ready). The model itself is warmed up
 * by {@link LoadedModel} at every batch size; this never runs it (its session belongs to the inference thread).
 */
public final class PathWarmUp {

    private static final Logger LOG = Logger.getLogger(PathWarmUp.class);

    /** (width, height, iterations): enough calls for the JIT's C2 tier on the Java parts, ~0.5 s of CPU in all. */
    private static final int[][] SIZES = {{720, 576, 150}, {1920, 1080, 15}};

    private PathWarmUp() {
    }

    /** Returns the number of frames run through the path. Failures are logged, never fatal: warm-up is an optimisation. */
    public static int run(LoadedModel model, PipelineSettings settings) {
        long start = System.nanoTime();
        int frames = 0;
        FrameDecoder decoder = new FrameDecoder(settings.maxPixels());
        MaskEncoder encoder = new MaskEncoder(settings.pngCompression());
        Postprocessor post = model.postprocessor();
        int inW = model.model().inputWidth();
        int inH = model.model().inputHeight();
        Mat output = new Mat(inH, inW, CvType.CV_32FC1, new Scalar(-5));
        try {
            // a polyp-sized blob, so thresholding, regions and the PNG see edges as on real frames
            output.submat(inH / 4, inH / 2, inW / 3, inW * 2 / 3).setTo(new Scalar(5));
            for (int[] size : SIZES) {
                if ((long) size[0] * size[1] > settings.maxPixels()) {
                    continue;
                }
                byte[] jpeg = syntheticJpeg(size[0], size[1]);
                for (int i = 0; i < size[2]; i++) {
                    long now = System.currentTimeMillis();
                    WireRecord in = FrameCodec.encode(new Frame("warm-up", "warm-up-" + i, i, now, ImageFormat.JPEG,
                            0, 0, jpeg));
                    Frame frame = FrameCodec.decode(in.key(), in.value(), in.headers(), "warm-up", 0, i, now,
                            settings.maxFrameBytes());
                    try (DecodedFrame decoded = decoder.decode(frame, inW, inH)) {
                        model.preprocessor().process(decoded.image()).close();
                    }
                    Mat small = post.binarize(output);
                    Postprocessor.Result result;
                    try {
                        result = post.toFrame(small, size[0], size[1]);
                    } finally {
                        small.release();
                    }
                    try (result) {
                        byte[] png = encoder.encode(result.mask());
                        MaskCodec.encode(new Mask(frame.streamId(), frame.frameId(), frame.sequence(),
                                frame.captureTimeMillis(), model.ref().name(), model.ref().version(), 1.0, 1,
                                result.areaFraction(), RegionCap.kept(result.regions(), settings.maxRegions(),
                                settings.minRegionArea()), size[0], size[1], png));
                    }
                    frames++;
                }
            }
            LOG.infof("codec path warmed up: %d synthetic frames in %d ms", frames, (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException | LinkageError e) {
            LOG.warnf(e, "codec path warm-up stopped after %d frames; the first real frames will be slower", frames);
        } finally {
            output.release();
        }
        return frames;
    }

    /** A photo-like JPEG (gradient, noise, a bright disc) so decode costs what a camera frame costs. */
    static byte[] syntheticJpeg(int width, int height) {
        Mat image = new Mat(height, width, CvType.CV_8UC3);
        Mat noise = new Mat(height, width, CvType.CV_8UC3);
        MatOfByte jpeg = new MatOfByte();
        MatOfInt params = new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        try {
            image.setTo(new Scalar(40, 60, 150));
            Imgproc.circle(image, new Point(width * 0.6, height * 0.4), Math.min(width, height) / 5,
                    new Scalar(90, 120, 220), -1);
            Core.randu(noise, 0, 40);
            Core.add(image, noise, image);
            Imgcodecs.imencode(".jpg", image, jpeg, params);
            return jpeg.toArray();
        } finally {
            for (Mat m : List.of(image, noise, jpeg, params)) {
                m.release();
            }
        }
    }
}
