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
 * @param labelFraction       share (0, 1] of the split's training images to train on (nested seeded subsets)
 * @param labelCount          number of training images to train on (> 0 wins over the fraction; 0 = use the fraction)
 * @param labelSeed           seed of the label subset (subsets of one seed are nested across fractions)
 * @param maxIterations       iteration budget (0 = none): training stops after this many updates whatever the label
 *                            count, and the learning-rate schedule runs over iterations instead of epochs
 * @param evalEvery           validate (and checkpoint) every this many iterations (0 = at the end of every epoch)
 * @param transfer            with a pretrained checkpoint: {@code full} (encoder and decoder, new head) or
 *                            {@code encoder} (pretrained encoder, freshly initialised decoder and head)
 */
public record FinetuneConfig(String runDir, UNetConfig model, String dataset, double validationFraction, long splitSeed,
                             String testList, String pretrained, int freezeEncoderEpochs, int epochs, int batchSize,
                             double maxMinutes, int patience, String schedule, boolean augment, boolean resume,
                             double threshold, long seed, double labelFraction, int labelCount, long labelSeed,
                             long maxIterations, int evalEvery, String transfer) {

    /** The settings of the fields added for the label-efficiency study: all labels, epoch budget, full transfer. */
    public FinetuneConfig(String runDir, UNetConfig model, String dataset, double validationFraction, long splitSeed,
                          String testList, String pretrained, int freezeEncoderEpochs, int epochs, int batchSize,
                          double maxMinutes, int patience, String schedule, boolean augment, boolean resume,
                          double threshold, long seed) {
        this(runDir, model, dataset, validationFraction, splitSeed, testList, pretrained, freezeEncoderEpochs, epochs,
                batchSize, maxMinutes, patience, schedule, augment, resume, threshold, seed, 1.0, 0, 1, 0, 0, "full");
    }
}
