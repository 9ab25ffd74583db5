package io.endostream.trainer.dataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Train / validation / test split of a labelled dataset. The test part comes from an optional list file (one file or
 * base name per line, '#' comments; e.g. Kvasir-SEG's 880/120 split); the rest is shuffled with the seed and split by
 * the validation fraction.
 */
public record DatasetSplit(List<KvasirSegDataset.Pair> train, List<KvasirSegDataset.Pair> validation,
                           List<KvasirSegDataset.Pair> test) {

    public static DatasetSplit of(KvasirSegDataset dataset, double validationFraction, long seed, Path testListFile) {
        if (validationFraction < 0 || validationFraction >= 1) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), was " + validationFraction);
        }
        Map<String, KvasirSegDataset.Pair> byId = dataset.pairs().stream()
                .collect(Collectors.toMap(KvasirSegDataset.Pair::id, Function.identity()));
        Set<String> testIds = testListFile == null ? Set.of() : readList(testListFile, byId.keySet());
        List<KvasirSegDataset.Pair> rest = new ArrayList<>();
        List<KvasirSegDataset.Pair> test = new ArrayList<>();
        for (KvasirSegDataset.Pair p : dataset.pairs()) {
            (testIds.contains(p.id()) ? test : rest).add(p);
        }
        Collections.shuffle(rest, new Random(seed));
        int nVal = (int) Math.round(rest.size() * validationFraction);
        if (validationFraction > 0 && nVal == 0 && rest.size() > 1) {
            nVal = 1;
        }
        List<KvasirSegDataset.Pair> validation = new ArrayList<>(rest.subList(0, nVal));
        List<KvasirSegDataset.Pair> train = new ArrayList<>(rest.subList(nVal, rest.size()));
        if (train.isEmpty()) {
            throw new DatasetException(dataset.root(), "no training images left after the split (" + dataset.size()
                    + " images, validation fraction " + validationFraction + ", test " + test.size() + ")");
        }
        return new DatasetSplit(List.copyOf(train), List.copyOf(validation), List.copyOf(test));
    }

    private static Set<String> readList(Path file, Set<String> known) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new DatasetException(file, "cannot read test list: " + e.getMessage());
        }
        Set<String> ids = new LinkedHashSet<>();
        int lineNo = 0;
        for (String raw : lines) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String name = Path.of(line).getFileName().toString();
            int dot = name.lastIndexOf('.');
            String id = known.contains(name) || dot < 0 ? name : name.substring(0, dot);
            if (!known.contains(id)) {
                throw new DatasetException(file, "line " + lineNo + ": '" + line + "' is not in the dataset");
            }
            ids.add(id);
        }
        return ids;
    }

    /** Validation and test together: the images no pretraining may see. */
    public List<KvasirSegDataset.Pair> evaluation() {
        List<KvasirSegDataset.Pair> out = new ArrayList<>(validation);
        out.addAll(test);
        return out;
    }

    /** The held-out split to report on: the test list when given, else validation. */
    public List<KvasirSegDataset.Pair> heldOut() {
        return test.isEmpty() ? validation : test;
    }
}
