package io.endostream.trainer.evaluate;

/**
 * Overlap figures of one predicted mask against its target. Both empty counts as a perfect match (Dice = IoU =
 * precision = recall = 1), so images without a polyp reward a clean prediction.
 */
public record ImageScores(String id, double dice, double iou, double precision, double recall, long truePositives,
                          long falsePositives, long falseNegatives) {

    /** @param probability per-pixel probabilities; @param target 0/1 mask of the same length */
    public static ImageScores of(String id, float[] probability, byte[] target, double threshold) {
        if (probability.length != target.length) {
            throw new IllegalArgumentException("prediction has " + probability.length + " pixels, target " + target.length);
        }
        long tp = 0;
        long fp = 0;
        long fn = 0;
        for (int i = 0; i < target.length; i++) {
            boolean p = probability[i] >= threshold;
            boolean t = target[i] != 0;
            if (p && t) {
                tp++;
            } else if (p) {
                fp++;
            } else if (t) {
                fn++;
            }
        }
        return fromCounts(id, tp, fp, fn);
    }

    public static ImageScores fromCounts(String id, long tp, long fp, long fn) {
        double dice = tp + fp + fn == 0 ? 1 : 2.0 * tp / (2.0 * tp + fp + fn);
        double iou = tp + fp + fn == 0 ? 1 : (double) tp / (tp + fp + fn);
        double precision = tp + fp == 0 ? (fn == 0 ? 1 : 0) : (double) tp / (tp + fp);
        double recall = tp + fn == 0 ? (fp == 0 ? 1 : 0) : (double) tp / (tp + fn);
        return new ImageScores(id, dice, iou, precision, recall, tp, fp, fn);
    }
}
