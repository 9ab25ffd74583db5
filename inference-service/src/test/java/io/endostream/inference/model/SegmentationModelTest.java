package io.endostream.inference.model;

import ai.onnxruntime.OrtEnvironment;
import io.endostream.inference.frame.OpenCv;
import io.endostream.inference.support.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The fixture model in real ONNX Runtime: batching changes nothing, fixed-batch models work, CUDA falls back. */
class SegmentationModelTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void openCv() {
        OpenCv.load();
    }

    @Test
    void aBatchGivesTheSameMasksAsSingleFrames() {
        ModelArtifact artifact = new ModelLoader(tmp).fromDirectory(TestModels.fixture());
        try (SegmentationModel model = SegmentationModel.open(artifact, SessionSettings.cpu(1, 4))) {
            assertEquals(Math.min(4, Math.max(1, artifact.manifest().input().maxBatch())), model.maxBatch());
            int n = model.maxBatch();
            float[][] inputs = new float[n][model.inputSampleFloats()];
            Random random = new Random(1);
            for (float[] input : inputs) {
                for (int i = 0; i < input.length; i++) {
                    input[i] = random.nextFloat();
                }
            }
            float[][] single = new float[n][];
            for (int i = 0; i < n; i++) {
                model.inputSample(0).put(inputs[i]);
                model.run(1);
                single[i] = floats(model.outputPlane(0));
            }
            for (int i = 0; i < n; i++) {
                model.inputSample(i).put(inputs[i]);
            }
            model.run(n);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(single[i], floats(model.outputPlane(i)), 1e-4f, "sample " + i);
            }
        }
    }

    @Test
    void aManifestWithoutDynamicBatchTurnsBatchingOff() {
        Path fixed = TestModels.copyAs(tmp.resolve("fixed"), "fixed-batch", true);
        try (SegmentationModel model = SegmentationModel.open(new ModelLoader(tmp).fromDirectory(fixed),
                SessionSettings.cpu(1, 8))) {
            assertEquals(1, model.maxBatch());
            model.run(1);
        }
    }

    @Test
    void cudaRequestedWithoutCudaFallsBackToCpu() {
        assertFalse(OrtEnvironment.getAvailableProviders().contains(ai.onnxruntime.OrtProvider.CUDA),
                "this test runs on the CPU build of ONNX Runtime");
        SessionSettings cuda = new SessionSettings(ExecutionProvider.CUDA, 0, 1, false, 2, 1);
        try (SegmentationModel model = SegmentationModel.open(new ModelLoader(tmp).fromDirectory(TestModels.fixture()), cuda)) {
            assertEquals(ExecutionProvider.CPU, model.provider());
            model.run(1);
        }
    }

    private static float[] floats(Mat plane) {
        float[] out = new float[(int) plane.total()];
        plane.get(0, 0, out);
        return out;
    }

}
