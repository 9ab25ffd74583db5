package io.endostream.inference.support;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.endostream.contracts.model.ModelManifest;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * The manifest's recipe done the plainest way, with none of the service's code: full-size decode, resize, per-pixel
 * normalisation in a Java loop, one ONNX Runtime run per frame, threshold, nearest resize back. Tests compare the
 * service's masks with this reference on the same frames and model, a check that does not drift when the model
 * changes (unlike a Dice threshold fitted to one model).
 */
public final class ReferenceSegmenter implements AutoCloseable {

    private final ModelManifest manifest;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    public ReferenceSegmenter(Path modelDir) throws OrtException {
        this.manifest = ModelManifest.read(modelDir.resolve(ModelManifest.FILE_NAME));
        this.session = env.createSession(modelDir.resolve(manifest.onnxFile()).toString(), new OrtSession.SessionOptions());
    }

    /** The 0/255 mask at the image's own size. */
    public Mat segment(byte[] encodedImage) throws OrtException {
        ModelManifest.Input in = manifest.input();
        Mat image = Imgcodecs.imdecode(new MatOfByte(encodedImage), Imgcodecs.IMREAD_COLOR);
        Mat resized = new Mat();
        Imgproc.resize(image, resized, new Size(in.width(), in.height()), 0, 0, Imgproc.INTER_AREA);
        int w = in.width();
        int h = in.height();
        byte[] bgr = new byte[w * h * 3];
        resized.get(0, 0, bgr);
        float[] chw = new float[3 * w * h];
        boolean rgb = "RGB".equals(in.channelOrder());
        for (int c = 0; c < 3; c++) {
            int source = rgb ? 2 - c : c; // OpenCV decodes BGR
            for (int i = 0; i < w * h; i++) {
                double v = (bgr[i * 3 + source] & 0xff) * in.scale();
                chw[c * w * h + i] = (float) ((v - in.mean()[c]) / in.std()[c]);
            }
        }
        float[] out;
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(chw), new long[]{1, 3, h, w});
             OrtSession.Result result = session.run(Map.of(in.name(), tensor))) {
            OnnxTensor output = (OnnxTensor) result.get(manifest.output().name()).orElseThrow();
            FloatBuffer buffer = output.getFloatBuffer();
            out = new float[buffer.remaining()];
            buffer.get(out);
        }
        boolean sigmoid = "sigmoid".equals(manifest.output().activation());
        Mat small = new Mat(h, w, CvType.CV_8UC1);
        byte[] mask = new byte[w * h];
        for (int i = 0; i < w * h; i++) {
            double p = sigmoid ? 1 / (1 + Math.exp(-out[i])) : out[i];
            mask[i] = (byte) (p >= manifest.output().threshold() ? 255 : 0);
        }
        small.put(0, 0, mask);
        Mat full = new Mat();
        Imgproc.resize(small, full, new Size(image.cols(), image.rows()), 0, 0, Imgproc.INTER_NEAREST);
        image.release();
        resized.release();
        small.release();
        return full;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
