package io.endostream.trainer.dataset;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A DataSetIterator over in-memory samples: optional shuffling each epoch (seeded), augmentation, then a subclass turns
 * the batch into tensors. The last partial batch is kept.
 */
public abstract class SampleBatchIterator implements DataSetIterator {
    private final List<Sample> samples;
    private final int batchSize;
    private final boolean shuffle;
    private final Augmentation augmentation;
    protected final Random random;
    private final List<Integer> order = new ArrayList<>();
    private int cursor;
    private DataSetPreProcessor preProcessor;

    protected SampleBatchIterator(List<Sample> samples, int batchSize, boolean shuffle, Augmentation augmentation, long seed) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("no samples");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, was " + batchSize);
        }
        this.samples = List.copyOf(samples);
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.augmentation = augmentation;
        this.random = new Random(seed);
        for (int i = 0; i < samples.size(); i++) {
            order.add(i);
        }
        reset();
    }

    protected abstract DataSet toDataSet(List<Sample> batch);

    public int sampleCount() {
        return samples.size();
    }

    public int batchesPerEpoch() {
        return (samples.size() + batchSize - 1) / batchSize;
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException();
        }
        int end = Math.min(cursor + num, order.size());
        List<Sample> batch = new ArrayList<>(end - cursor);
        for (int i = cursor; i < end; i++) {
            Sample s = samples.get(order.get(i));
            batch.add(augmentation == null ? s : augmentation.apply(s, random));
        }
        cursor = end;
        DataSet ds = toDataSet(batch);
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
    }

    @Override
    public boolean hasNext() {
        return cursor < order.size();
    }

    @Override
    public void reset() {
        cursor = 0;
        if (shuffle) {
            Collections.shuffle(order, random);
        }
    }

    @Override
    public int inputColumns() {
        return samples.get(0).size() * samples.get(0).size() * 3;
    }

    @Override
    public int totalOutcomes() {
        return 1;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return false;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
