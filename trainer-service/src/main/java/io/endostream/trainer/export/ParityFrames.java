package io.endostream.trainer.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.endostream.trainer.dataset.DatasetSplit;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.SplitFingerprint;
import io.endostream.trainer.dataset.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Real frames for the export's parity check: the validation frames of the dataset a fine-tuning checkpoint was trained
 * on (its training state records the dataset path and the split), when that dataset is still on disk.
 *
 * @param images      [N,3,S,S] RGB in [0,1], the model's input
 * @param description where they came from, for the parity report
 */
public record ParityFrames(INDArray images, String description) {

    /**
     * @param state fine-tuning checkpoint state ({@code data.dataset}, {@code split})
     * @param count frames wanted (fewer when the validation part is smaller)
     * @param size  the model's input size
     * @return the frames, or null when the state names no dataset or it is gone (the caller falls back to random
     *         images)
     */
    @SuppressWarnings("unchecked")
    public static ParityFrames fromTrainingState(Map<String, Object> state, int count, int size) {
        Object data = state.get("data");
        if (!(data instanceof Map<?, ?> d) || !(d.get("dataset") instanceof String dataset)
                || !Files.isDirectory(Path.of(dataset))) {
            return null;
        }
        Map<String, Object> split = state.get(SplitFingerprint.STATE_KEY) instanceof Map<?, ?> m
                ? (Map<String, Object>) m : Map.of();
        double validationFraction = split.get("validation_fraction") instanceof Number n ? n.doubleValue() : 0.2;
        long splitSeed = split.get("split_seed") instanceof Number n ? n.longValue() : 1;
        Path root = Path.of(dataset);
        Path testList = null;
        if (split.get("test_list") instanceof String name) {
            // only the file name is recorded: look beside the dataset's images and next to the dataset folder
            for (Path candidate : List.of(root.resolve(name), root.toAbsolutePath().getParent().resolve(name))) {
                if (Files.isRegularFile(candidate)) {
                    testList = candidate;
                    break;
                }
            }
        }
        KvasirSegDataset ds = KvasirSegDataset.open(root);
        DatasetSplit parts = DatasetSplit.of(ds, validationFraction, splitSeed, testList);
        String stored = split.get("ids_sha256") instanceof String s ? s : null;
        boolean sameSplit = stored != null && stored.equals(
                SplitFingerprint.of(parts, validationFraction, splitSeed, testList).idsSha256());
        List<KvasirSegDataset.Pair> pool = parts.validation().isEmpty() ? parts.train() : parts.validation();
        List<Sample> samples = KvasirSegDataset.load(pool.subList(0, Math.min(count, pool.size())), size);
        String what = sameSplit ? "validation frames of " + dataset
                : "frames of " + dataset + " (the recorded split could not be reproduced)";
        return new ParityFrames(Tensors.images(samples), what);
    }
}
