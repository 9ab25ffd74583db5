package io.endostream.trainer.dataset;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Conversions between stored samples and the model's tensors: input NCHW float RGB in [0, 1] (scale 1/255, mean 0,
 * std 1, as the exported manifest states), masks [N, 1, S, S] of 0/1.
 */
public final class Tensors {
    private Tensors() {
    }

    public static INDArray images(List<Sample> batch) {
        int n = batch.size();
        int s = batch.get(0).size();
        int plane = s * s;
        float[] data = new float[n * 3 * plane];
        for (int i = 0; i < n; i++) {
            byte[] bgr = batch.get(i).bgr();
            int base = i * 3 * plane;
            for (int p = 0; p < plane; p++) {
                data[base + p] = (bgr[p * 3 + 2] & 0xff) / 255f;              // R
                data[base + plane + p] = (bgr[p * 3 + 1] & 0xff) / 255f;      // G
                data[base + 2 * plane + p] = (bgr[p * 3] & 0xff) / 255f;      // B
            }
        }
        return Nd4j.create(data, new long[]{n, 3, s, s}, 'c');
    }

    public static INDArray masks(List<Sample> batch) {
        int n = batch.size();
        int s = batch.get(0).size();
        int plane = s * s;
        float[] data = new float[n * plane];
        for (int i = 0; i < n; i++) {
            byte[] m = batch.get(i).mask();
            if (m == null) {
                throw new IllegalArgumentException("sample " + batch.get(i).id() + " has no mask");
            }
            for (int p = 0; p < plane; p++) {
                data[i * plane + p] = m[p];
            }
        }
        return Nd4j.create(data, new long[]{n, 1, s, s}, 'c');
    }

    /** One image of an NCHW RGB [0,1] tensor back to BGR bytes (clipped), for pictures. */
    public static byte[] toBgr(INDArray nchw, int index) {
        int s = (int) nchw.size(2);
        int plane = s * s;
        float[] data = nchw.get(org.nd4j.linalg.indexing.NDArrayIndex.point(index)).dup('c').data().asFloat();
        byte[] out = new byte[plane * 3];
        int channels = (int) nchw.size(1);
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float v = data[(channels == 1 ? 0 : c) * plane + p];
                int b = Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
                out[p * 3 + (2 - c)] = (byte) b;
            }
        }
        return out;
    }
}
