package io.endostream.inference.model;

import io.endostream.contracts.mask.Region;
import io.endostream.contracts.model.ModelManifest;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.mask.MaskEncoder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.FloatBuffer;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The manifest decides layout, channel order, normalisation, activation and threshold. */
class PrePostProcessingTest {

    @BeforeAll
    static void openCv() {
        OpenCv.load();
    }

    @Test
    void nchwRgbWithMeanAndStdIsExactlyWhatTheManifestSays() {
        Preprocessor pre = new Preprocessor(new ModelManifest.Input("input", "NCHW", 2, 2, "RGB",
                new double[]{0.5, 0.25, 0}, new double[]{0.5, 0.25, 2}, 1 / 255.0, true, 8));
        Mat bgr = new Mat(2, 2, CvType.CV_8UC3, new Scalar(255, 0, 51)); // B=255, G=0, R=51
        try (Preprocessor.Sample s = pre.process(bgr)) {
            FloatBuffer f = s.floats();
            assertEquals(12, f.remaining());
            float r = (float) ((51 / 255.0 - 0.5) / 0.5);
            float g = (float) ((0 - 0.25) / 0.25);
            float b = (float) ((1.0 - 0) / 2);
            for (int i = 0; i < 4; i++) {
                assertEquals(r, f.get(i), 1e-6, "R plane first");
                assertEquals(g, f.get(4 + i), 1e-6);
                assertEquals(b, f.get(8 + i), 1e-6);
            }
        } finally {
            bgr.release();
        }
        pre.close();
    }

    @Test
    void nhwcBgrIsInterleavedAndResized() {
        Preprocessor pre = new Preprocessor(new ModelManifest.Input("input", "NHWC", 2, 1, "BGR",
                new double[]{0, 0, 0}, new double[]{1, 1, 1}, 1.0, true, 8));
        Mat bgr = new Mat(4, 8, CvType.CV_8UC3, new Scalar(10, 20, 30));
        try (Preprocessor.Sample s = pre.process(bgr)) {
            FloatBuffer f = s.floats();
            assertEquals(6, f.remaining());
            assertEquals(List.of(10f, 20f, 30f, 10f, 20f, 30f), List.of(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5)));
        } finally {
            bgr.release();
        }
        pre.close();
    }

    @Test
    void sigmoidActivationThresholdsLogitsAndMasksScaleToTheFrameWithRegions() {
        Postprocessor post = new Postprocessor(new ModelManifest.Output("mask", "sigmoid", 0.5));
        Mat logits = new Mat(8, 8, CvType.CV_32FC1, new Scalar(-3));
        logits.submat(2, 4, 2, 6).setTo(new Scalar(2.5)); // a 4x2 blob: sigmoid 0.92
        logits.put(7, 7, 0.1f); // sigmoid 0.52: polyp
        logits.put(0, 7, -0.1f); // sigmoid 0.48: not
        Mat small = post.binarize(logits);
        try (Postprocessor.Result r = post.toFrame(small, 80, 40)) {
            assertEquals(80, r.mask().cols());
            assertEquals(40, r.mask().rows());
            assertEquals((8 + 1) / 64.0, r.areaFraction(), 0.02);
            assertEquals(2, r.regions().size());
            Region blob = r.regions().get(0);
            assertEquals(new Region(20, 10, 40, 10, 400), blob);
            byte[] png = new MaskEncoder(1).encode(r.mask());
            assertEquals(1, png[24], "PNG bit depth 1");
            MatOfByte bytes = new MatOfByte(png);
            Mat back = Imgcodecs.imdecode(bytes, Imgcodecs.IMREAD_GRAYSCALE);
            assertEquals(255.0, back.get(15, 40)[0]);
            assertEquals(0.0, back.get(35, 10)[0]);
            back.release();
            bytes.release();
        } finally {
            small.release();
            logits.release();
        }
    }
}
