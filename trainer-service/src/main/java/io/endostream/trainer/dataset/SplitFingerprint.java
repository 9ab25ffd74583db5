package io.endostream.trainer.dataset;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a labelled split was: its settings and a SHA-256 over the sorted image ids of each part. Stored in checkpoints
 * (state key {@value #STATE_KEY}) and compared by every later command that relies on the same split (fine-tuning from
 * a pretraining run that excluded a dataset, resume, evaluate): a mismatch is an error, because the held-out images
 * would no longer be the ones the earlier step kept apart.
 *
 * @param validationFraction share of non-test images for validation
 * @param splitSeed          seed of the train/validation shuffle
 * @param testList           file name of the test list, or null
 * @param train              training images
 * @param validation         validation images
 * @param test               test images
 * @param idsSha256          SHA-256 of "train\n" + sorted ids + "validation\n" + sorted ids + "test\n" + sorted ids
 */
public record SplitFingerprint(double validationFraction, long splitSeed, String testList, int train, int validation,
                               int test, String idsSha256) {

    public static final String STATE_KEY = "split";

    public static SplitFingerprint of(DatasetSplit split, double validationFraction, long splitSeed, Path testList) {
        StringBuilder sb = new StringBuilder();
        part(sb, "train", split.train());
        part(sb, "validation", split.validation());
        part(sb, "test", split.test());
        return new SplitFingerprint(validationFraction, splitSeed,
                testList == null ? null : testList.getFileName().toString(), split.train().size(),
                split.validation().size(), split.test().size(), sha256(sb.toString()));
    }

    private static void part(StringBuilder sb, String name, List<KvasirSegDataset.Pair> pairs) {
        List<String> ids = new ArrayList<>(pairs.stream().map(KvasirSegDataset.Pair::id).toList());
        ids.sort(null);
        sb.append(name).append('\n');
        ids.forEach(id -> sb.append(id).append('\n'));
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("validation_fraction", validationFraction);
        m.put("split_seed", splitSeed);
        m.put("test_list", testList);
        m.put("train", train);
        m.put("validation", validation);
        m.put("test", test);
        m.put("ids_sha256", idsSha256);
        return m;
    }

    /** The fingerprint stored in a checkpoint's state, or null when it carries none. */
    @SuppressWarnings("unchecked")
    public static SplitFingerprint fromState(Map<String, Object> state) {
        Object o = state == null ? null : state.get(STATE_KEY);
        if (!(o instanceof Map)) {
            return null;
        }
        Map<String, Object> m = (Map<String, Object>) o;
        return new SplitFingerprint(((Number) m.get("validation_fraction")).doubleValue(),
                ((Number) m.get("split_seed")).longValue(), (String) m.get("test_list"),
                ((Number) m.get("train")).intValue(), ((Number) m.get("validation")).intValue(),
                ((Number) m.get("test")).intValue(), (String) m.get("ids_sha256"));
    }

    /**
     * Throws when {@code stored} (from {@code what}) is not this split. A null {@code stored} passes only if
     * {@code required} is false.
     */
    public void check(SplitFingerprint stored, String what, boolean required) {
        if (stored == null) {
            if (required) {
                throw new IllegalArgumentException(what + " carries no split fingerprint: it was made before splits were "
                        + "recorded or without a labelled dataset; re-run it");
            }
            return;
        }
        if (!Objects.equals(stored.idsSha256, idsSha256)) {
            throw new IllegalArgumentException("split mismatch with " + what + ": it used " + stored.describe()
                    + ", this command has " + describe()
                    + " (pass the same --val-fraction, --split-seed and --test-list on the same dataset)");
        }
    }

    public String describe() {
        return String.format(java.util.Locale.ROOT, "val-fraction %s, split-seed %d, test-list %s -> %d/%d/%d images, ids %s",
                validationFraction, splitSeed, testList, train, validation, test, idsSha256.substring(0, 12));
    }
}
