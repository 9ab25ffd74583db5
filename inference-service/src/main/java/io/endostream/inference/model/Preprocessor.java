package io.endostream.inference.model;

import io.endostream.contracts.model.ModelManifest;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The model's input transform, all of it from the manifest: resize to {@code input.width x input.height},
 * channel order, {@code (pixel * scale - mean) / std}, NCHW or NHWC.
 *
 * <p>Each frame is written into a pooled direct buffer through OpenCV Mats that wrap that buffer's memory, so
 * scaling, normalising and the HWC-to-CHW shuffle are one {@code convertTo} per channel with no Java loop and
 * no allocation per frame. Thread-safe: codec threads share one instance.
 */
public final class Preprocessor {

    /** A preprocessed sample in a pooled buffer; {@link #close()} returns it to the pool. */
    public final class Sample implements AutoCloseable {
        private final ByteBuffer bytes;
        private final Mat resized = new Mat();
        private final Mat channel = new Mat();
        private final Mat converted = new Mat();
        private final Mat[] planes;
        private final java.util.concurrent.atomic.AtomicBoolean out = new java.util.concurrent.atomic.AtomicBoolean();

        private Sample() {
            bytes = ByteBuffer.allocateDirect(sampleFloats * Float.BYTES).order(ByteOrder.nativeOrder());
            int planeBytes = width * height * Float.BYTES;
            if (nchw) {
                planes = new Mat[3];
                for (int c = 0; c < 3; c++) {
                    planes[c] = new Mat(height, width, CvType.CV_32FC1,
                            bytes.slice(c * planeBytes, planeBytes).order(ByteOrder.nativeOrder()));
                }
            } else {
                planes = new Mat[]{new Mat(height, width, CvType.CV_32FC3, bytes)};
            }
        }

        /** The sample's floats, position 0, limit = one sample. */
        public FloatBuffer floats() {
            return bytes.duplicate().order(ByteOrder.nativeOrder()).asFloatBuffer();
        }

        /** Returns the buffer to the pool; idempotent. */
        @Override
        public void close() {
            if (out.compareAndSet(true, false)) {
                pool.offer(this);
            }
        }

        void release() {
            resized.release();
            channel.release();
            converted.release();
            for (Mat plane : planes) {
                plane.release();
            }
        }
    }

    private final int width;
    private final int height;
    private final boolean nchw;
    private final boolean rgb;
    private final double scale;
    private final double[] mean;
    private final double[] std;
    private final boolean identityNormalisation;
    private final Scalar meanScalar; // NHWC path: built once, not per frame
    private final Scalar stdScalar;
    private final int sampleFloats;
    private final ConcurrentLinkedQueue<Sample> pool = new ConcurrentLinkedQueue<>();

    public Preprocessor(ModelManifest.Input input) {
        this.width = input.width();
        this.height = input.height();
        this.nchw = "NCHW".equalsIgnoreCase(input.layout());
        this.rgb = "RGB".equalsIgnoreCase(input.channelOrder());
        this.scale = input.scale();
        this.mean = input.mean() == null ? new double[]{0, 0, 0} : input.mean();
        this.std = input.std() == null ? new double[]{1, 1, 1} : input.std();
        boolean identity = true;
        for (int c = 0; c < 3; c++) {
            identity &= mean[c] == 0 && std[c] == 1;
        }
        this.identityNormalisation = identity;
        this.meanScalar = new Scalar(mean);
        this.stdScalar = new Scalar(std);
        this.sampleFloats = 3 * width * height;
    }

    /** Preprocesses a CV_8UC3 BGR image of any size into a pooled sample. */
    public Sample process(Mat bgr) {
        Sample sample = pool.poll();
        if (sample == null) {
            sample = new Sample();
        }
        sample.out.set(true);
        boolean shrinkingMuch = bgr.cols() >= 2 * width || bgr.rows() >= 2 * height;
        Mat source = bgr;
        if (bgr.cols() != width || bgr.rows() != height) {
            Imgproc.resize(bgr, sample.resized, new Size(width, height), 0, 0,
                    shrinkingMuch ? Imgproc.INTER_AREA : Imgproc.INTER_LINEAR);
            source = sample.resized;
        }
        if (nchw) {
            for (int c = 0; c < 3; c++) {
                int from = rgb ? 2 - c : c; // OpenCV holds BGR
                Core.extractChannel(source, sample.channel, from);
                // (x * scale - mean) / std == x * (scale / std) - mean / std, written straight into the plane
                sample.channel.convertTo(sample.planes[c], CvType.CV_32F, scale / std[c], -mean[c] / std[c]);
            }
        } else {
            Mat ordered = source;
            if (rgb) {
                Imgproc.cvtColor(source, sample.converted, Imgproc.COLOR_BGR2RGB);
                ordered = sample.converted;
            }
            Mat plane = sample.planes[0];
            ordered.convertTo(plane, CvType.CV_32FC3, scale);
            if (!identityNormalisation) {
                Core.subtract(plane, meanScalar, plane);
                Core.divide(plane, stdScalar, plane);
            }
        }
        return sample;
    }

    public int sampleFloats() {
        return sampleFloats;
    }

    /** Releases the pooled buffers' Mats (samples still out are released when they come back... never: call last). */
    public void close() {
        Sample sample;
        while ((sample = pool.poll()) != null) {
            sample.release();
        }
    }
}
