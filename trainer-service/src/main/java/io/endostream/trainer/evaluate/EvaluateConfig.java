package io.endostream.trainer.evaluate;

/**
 * An evaluation of a segmentation checkpoint on a held-out split.
 *
 * @param runDir             folder for config.json, metrics.json (the evaluation) and pictures
 * @param checkpoint         fine-tuning checkpoint (best.zip)
 * @param dataset            labelled dataset in the Kvasir-SEG layout
 * @param split              test | validation | all (test falls back to validation when no test list is given)
 * @param validationFraction same as the fine-tuning run
 * @param splitSeed          same as the fine-tuning run
 * @param testList           held-out test list file or null
 * @param threshold          probability threshold
 * @param batchSize          images per forward pass
 */
public record EvaluateConfig(String runDir, String checkpoint, String dataset, String split, double validationFraction,
                             long splitSeed, String testList, double threshold, int batchSize) {
}
