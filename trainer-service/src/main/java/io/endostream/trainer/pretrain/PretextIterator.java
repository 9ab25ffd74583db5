package io.endostream.trainer.pretrain;

import io.endostream.trainer.dataset.Augmentation;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.SampleBatchIterator;
import io.endostream.trainer.dataset.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Pretraining batches: features = corrupted image, labels = clean image, labels mask [N,1,S,S] where the loss
 * counts (in-painting only).
 */
public final class PretextIterator extends SampleBatchIterator {
    private final PretrainObjective objective;

    public PretextIterator(List<Sample> samples, int batchSize, boolean shuffle, Augmentation augmentation,
                           PretrainObjective objective, long seed) {
        super(samples, batchSize, shuffle, augmentation, seed);
        this.objective = objective;
    }

    @Override
    protected DataSet toDataSet(List<Sample> batch) {
        return corrupt(Tensors.images(batch), objective, random);
    }

    /** Corrupts a batch of clean NCHW images; labels are the clean images. */
    public static DataSet corrupt(INDArray clean, PretrainObjective objective, java.util.Random random) {
        int n = (int) clean.size(0);
        int s = (int) clean.size(2);
        int per = 3 * s * s;
        float[] all = clean.dup('c').data().asFloat();
        float[] in = new float[all.length];
        float[] mask = objective == PretrainObjective.INPAINT ? new float[n * s * s] : null;
        for (int i = 0; i < n; i++) {
            float[] one = new float[per];
            System.arraycopy(all, i * per, one, 0, per);
            PretrainObjective.Corrupted c = objective.corrupt(one, s, random);
            System.arraycopy(c.input(), 0, in, i * per, per);
            if (mask != null) {
                System.arraycopy(c.lossMask(), 0, mask, i * s * s, s * s);
            }
        }
        INDArray features = Nd4j.create(in, new long[]{n, 3, s, s}, 'c');
        INDArray labelsMask = mask == null ? null : Nd4j.create(mask, new long[]{n, 1, s, s}, 'c');
        return new DataSet(features, clean, null, labelsMask);
    }
}
