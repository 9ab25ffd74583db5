package io.endostream.trainer.pretrain;

import io.endostream.trainer.model.UNetConfig;

import java.util.List;

/**
 * Everything a pretraining run needs (written to the run's config.json).
 *
 * @param runDir            run folder (config, metrics, checkpoints, pictures)
 * @param model             network shape and learning rate
 * @param objective         reconstruct | inpaint | denoise
 * @param sources           unlabelled image folders (recursive), image files or video files
 * @param videoFrameStep    keep every n-th video frame
 * @param maxFrames         use at most this many unlabelled frames (0 = all)
 * @param evaluationDataset labelled (Kvasir-SEG layout) dataset whose evaluation images must not be pretrained on, or null
 * @param validationFraction the labelled dataset's validation share (same as fine-tuning uses)
 * @param splitSeed         the labelled dataset's split seed (same as fine-tuning uses)
 * @param testList          the labelled dataset's held-out test list file, or null
 * @param epochs            passes over the unlabelled frames
 * @param batchSize         images per iteration
 * @param maxMinutes        wall-clock budget (0 = none); training stops after the iteration that crosses it
 * @param freezeEncoder     train only the decoder and head
 * @param initCheckpoint    start from this checkpoint's weights instead of a fresh network (null = fresh)
 * @param resume            continue from runDir/checkpoints/last.zip when present
 * @param diagnosticImages  unlabelled frames held out for the per-epoch loss and the skip diagnostic
 * @param augment           flips/rotations/scale/colour jitter on the unlabelled frames
 * @param seed              shuffling, corruption and hold-out seed
 * @param maxIterations     iteration budget (0 = none): stops after this many updates, so objectives get equal budgets
 */
public record PretrainConfig(String runDir, UNetConfig model, PretrainObjective objective, List<String> sources,
                             int videoFrameStep, int maxFrames, String evaluationDataset, double validationFraction,
                             long splitSeed, String testList, int epochs, int batchSize, double maxMinutes,
                             boolean freezeEncoder, String initCheckpoint, boolean resume, int diagnosticImages,
                             boolean augment, long seed, long maxIterations) {

    /** Without an iteration budget. */
    public PretrainConfig(String runDir, UNetConfig model, PretrainObjective objective, List<String> sources,
                          int videoFrameStep, int maxFrames, String evaluationDataset, double validationFraction,
                          long splitSeed, String testList, int epochs, int batchSize, double maxMinutes,
                          boolean freezeEncoder, String initCheckpoint, boolean resume, int diagnosticImages,
                          boolean augment, long seed) {
        this(runDir, model, objective, sources, videoFrameStep, maxFrames, evaluationDataset, validationFraction,
                splitSeed, testList, epochs, batchSize, maxMinutes, freezeEncoder, initCheckpoint, resume,
                diagnosticImages, augment, seed, 0);
    }
}
