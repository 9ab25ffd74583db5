package io.endostream.trainer.study;

import io.endostream.trainer.model.UNetConfig;

import java.util.List;

/**
 * A label-efficiency study: arms {scratch, each pretraining objective, encoder-only transfer of the best objective}
 * x label fractions x seeds, every fine-tuning run with the same iteration budget, every pretraining with the same
 * iteration budget, validation and test fixed across fractions.
 *
 * @param workDir            run folders (checkpoints: large; keep outside the repository)
 * @param reportDir          CSV, Markdown, plot and sample grids (small files)
 * @param dataset            labelled dataset (Kvasir-SEG layout)
 * @param testList           held-out test list of the labelled dataset (required: the study reports on it)
 * @param unlabelled         unlabelled sources for pretraining (the leakage guard drops the labelled dataset's
 *                           validation and test images from them)
 * @param validationFraction labelled split: share of non-test images for validation (early-stopping selection)
 * @param splitSeed          labelled split seed
 * @param model              network shape, fine-tuning learning rate (seed is replaced by the study's seed)
 * @param objectives         pretraining objectives (reconstruct, inpaint, denoise)
 * @param fractions          label fractions of the training split, e.g. 0.1, 0.25, 1
 * @param seeds              seeds: each drives the label subset, the initialisation, shuffling and pretraining
 * @param pretrainIterations pretraining budget (updates) per objective and seed
 * @param pretrainLr         pretraining learning rate
 * @param finetuneIterations fine-tuning budget (updates) of every run
 * @param evalEvery          validate every N fine-tuning iterations (best checkpoint by validation Dice)
 * @param batchSize          images per update (pretraining and fine-tuning)
 * @param encoderOnlyArm     add the encoder-only transfer arm for the best objective (chosen on validation Dice)
 * @param maxFrames          use at most this many unlabelled frames (0 = all)
 * @param augment            augmentation during fine-tuning and pretraining
 */
public record StudyConfig(String workDir, String reportDir, String dataset, String testList, List<String> unlabelled,
                          double validationFraction, long splitSeed, UNetConfig model, List<String> objectives,
                          List<Double> fractions, List<Long> seeds, long pretrainIterations, double pretrainLr,
                          long finetuneIterations, int evalEvery, int batchSize, boolean encoderOnlyArm, int maxFrames,
                          boolean augment) {
}
