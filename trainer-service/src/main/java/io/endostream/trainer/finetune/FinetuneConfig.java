package io.endostream.trainer.finetune;

import io.endostream.trainer.model.UNetConfig;

/**
 * Everything a fine-tuning run needs (written to the run's config.json).
 *
 * @param runDir              run folder
 * @param model               network shape and base learning rate (shape is taken from the pretrained checkpoint when given)
 * @param dataset             labelled dataset root in the Kvasir-SEG layout
 * @param validationFraction  share of the non-test images used for validation (early stopping)
 * @param splitSeed           seed of the train/validation split
 * @param testList            held-out test list file (never trained on or used for early stopping), or null
 * @param pretrained          pretraining checkpoint to start from, or null for from scratch
 * @param freezeEncoderEpochs keep the (pretrained) encoder frozen for this many first epochs
 * @param epochs              maximum epochs
 * @param batchSize           images per iteration
 * @param maxMinutes          wall-clock budget (0 = none)
 * @param patience            stop after this many epochs without a better validation Dice (0 = never)
 * @param schedule            constant | cosine | step
 * @param augment             flips, 90 degree rotations, scale, colour jitter on training images
 * @param resume              continue from runDir/checkpoints/last.zip when present
 * @param threshold           probability threshold for the Dice/IoU figures
 * @param seed                shuffling and augmentation seed
 */
public record FinetuneConfig(String runDir, UNetConfig model, String dataset, double validationFraction, long splitSeed,
                             String testList, String pretrained, int freezeEncoderEpochs, int epochs, int batchSize,
                             double maxMinutes, int patience, String schedule, boolean augment, boolean resume,
                             double threshold, long seed) {
}
