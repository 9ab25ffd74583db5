package io.endostream.trainer.dataset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The labelled training images a run may use: a seeded subset of the split's training part, given as a fraction or a
 * count. Subsets of one seed are <b>nested</b> (10% is inside 25%, which is inside 50%): the ids are sorted, shuffled
 * once with the seed, and the first n are taken. Validation and test are never touched, so they stay fixed across
 * fractions.
 */
public final class LabelSubset {
    private LabelSubset() {
    }

    /** How many of {@code available} images a fraction (0, 1] or a count (> 0, wins over the fraction) selects. */
    public static int size(int available, double fraction, int count) {
        if (count > 0) {
            if (count > available) {
                throw new IllegalArgumentException("--label-count " + count + " exceeds the " + available
                        + " labelled training images of the split");
            }
            return count;
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--label-fraction must be in (0, 1], was " + fraction);
        }
        return Math.max(1, (int) Math.round(available * fraction));
    }

    /** The first {@link #size} images of the training part in the seed's fixed order. */
    public static List<KvasirSegDataset.Pair> select(List<KvasirSegDataset.Pair> train, double fraction, int count,
                                                     long seed) {
        int n = size(train.size(), fraction, count);
        List<KvasirSegDataset.Pair> order = new ArrayList<>(train);
        order.sort(Comparator.comparing(KvasirSegDataset.Pair::id));
        java.util.Collections.shuffle(order, new Random(seed));
        return List.copyOf(order.subList(0, n));
    }
}
