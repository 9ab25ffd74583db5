package io.endostream.trainer.dataset;

import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/** Batches of (image NCHW RGB [0,1], mask [N,1,S,S] 0/1) for fine-tuning and evaluation. */
public final class SegmentationIterator extends SampleBatchIterator {

    public SegmentationIterator(List<Sample> samples, int batchSize, boolean shuffle, Augmentation augmentation, long seed) {
        super(samples, batchSize, shuffle, augmentation, seed);
    }

    /** Evaluation order, no augmentation. */
    public static SegmentationIterator inOrder(List<Sample> samples, int batchSize) {
        return new SegmentationIterator(samples, batchSize, false, null, 0);
    }

    @Override
    protected DataSet toDataSet(List<Sample> batch) {
        return new DataSet(Tensors.images(batch), Tensors.masks(batch));
    }
}
