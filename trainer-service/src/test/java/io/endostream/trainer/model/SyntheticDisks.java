package io.endostream.trainer.model;

import java.util.SplittableRandom;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Tiny synthetic segmentation task for tests and benchmarks: bright reddish disks on dark noise. */
public final class SyntheticDisks {

    private SyntheticDisks() {
    }

    /** Features [n,3,size,size] in [0,1] and labels [n,1,size,size] (1 inside the disk). */
    public static MultiDataSet batch(int n, int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] img = new float[n * 3 * size * size];
        float[] mask = new float[n * size * size];
        for (int i = 0; i < n; i++) {
            double r = size * (0.12 + 0.18 * rnd.nextDouble());
            double cx = r + rnd.nextDouble() * (size - 2 * r);
            double cy = r + rnd.nextDouble() * (size - 2 * r);
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    boolean inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
                    int p = y * size + x;
                    mask[i * size * size + p] = inside ? 1f : 0f;
                    for (int c = 0; c < 3; c++) {
                        double base = inside ? (c == 0 ? 0.85 : 0.55) : 0.15;
                        img[((i * 3 + c) * size * size) + p] = (float) Math.min(1, base + 0.3 * rnd.nextDouble());
                    }
                }
            }
        }
        INDArray features = Nd4j.create(img, new long[]{n, 3, size, size}, DataType.FLOAT);
        INDArray labels = Nd4j.create(mask, new long[]{n, 1, size, size}, DataType.FLOAT);
        return new MultiDataSet(features, labels);
    }
}
