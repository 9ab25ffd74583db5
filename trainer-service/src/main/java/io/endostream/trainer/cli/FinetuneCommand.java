package io.endostream.trainer.cli;

import io.endostream.trainer.finetune.FinetuneConfig;
import io.endostream.trainer.finetune.Finetuner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.endostream.trainer.run.ProgressListener;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune the segmentation head on a labelled dataset (Kvasir-SEG layout: images/, masks/).",
                "From a pretraining checkpoint (--pretrained) or from scratch; BCE + soft Dice; early stopping on validation Dice.",
                "Writes config.json, metrics.json, checkpoints/{last,best}.zip and pictures/ into --run-dir."})
public class FinetuneCommand extends RunFolderCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, description = "Labelled dataset root (images/, masks/).")
    Path dataset;


    @Mixin
    SplitOptions split;

    @Option(names = "--pretrained", description = "Pretraining checkpoint (its last.zip); input size and width come from it.")
    Path pretrained;

    @Option(names = "--freeze-encoder-epochs", defaultValue = "0", description = "Keep the encoder frozen for the first N epochs (default ${DEFAULT-VALUE}).")
    int freezeEpochs;

    @Option(names = "--epochs", defaultValue = "20", description = "Maximum epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Images per iteration (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-minutes", defaultValue = "0", description = "Wall-clock budget (0 = none).")
    double maxMinutes;

    @Option(names = "--patience", defaultValue = "5", description = "Early stopping: epochs without a better validation Dice (0 = off; default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--schedule", defaultValue = "cosine", description = "Learning-rate schedule: constant | cosine | step (default ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--no-augment", description = "Turn augmentation off.")
    boolean noAugment;

    @Option(names = "--resume", description = "Continue from <run-dir>/checkpoints/last.zip when present.")
    boolean resume;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Probability threshold for Dice/IoU (default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--seed", defaultValue = "7", description = "Shuffling/augmentation seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--label-fraction", defaultValue = "1", description = "Train on this share of the split's training images: seeded, nested across fractions; validation and test stay fixed (default ${DEFAULT-VALUE}).")
    double labelFraction;

    @Option(names = "--label-count", defaultValue = "0", description = "Train on this many training images instead (0 = use --label-fraction).")
    int labelCount;

    @Option(names = "--label-seed", defaultValue = "1", description = "Seed of the label subset (default ${DEFAULT-VALUE}).")
    long labelSeed;

    @Option(names = "--max-iterations", defaultValue = "0", description = "Iteration budget (0 = none); the schedule then runs over iterations, so runs with different label counts get the same number of updates.")
    long maxIterations;

    @Option(names = "--eval-every", defaultValue = "0", description = "Validate and checkpoint every N iterations (0 = every epoch).")
    int evalEvery;

    @Option(names = "--transfer", defaultValue = "full", description = "With --pretrained: full (encoder + decoder) or encoder (fresh decoder) (default ${DEFAULT-VALUE}).")
    String transfer;

    @Mixin
    ModelOptions model;


    @Override
    public Map<String, Object> execute(ProgressListener listener, BooleanSupplier cancelled) {
        prepareRunDir(resume);
        FinetuneConfig cfg = new FinetuneConfig(runDir.toString(), model.toConfig(), dataset.toString(),
                split.validationFraction, split.splitSeed, split.testListOrNull(),
                pretrained == null ? null : pretrained.toString(), freezeEpochs, epochs, batch, maxMinutes, patience,
                schedule, !noAugment, resume, threshold, seed, labelFraction, labelCount, labelSeed, maxIterations,
                evalEvery, transfer);
        Finetuner.Result r = Finetuner.run(cfg, listener, cancelled);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runDir", r.runDir().toString());
        summary.put("bestCheckpoint", r.bestCheckpoint().toString());
        summary.put("best_val_dice", r.bestValidationDice());
        summary.put("best_epoch", r.bestEpoch());
        summary.put("stopped_by", r.metrics().get("stopped_by"));
        return summary;
    }

    @Override
    public Integer call() {
        Map<String, Object> s = execute(new ConsoleProgressBar(System.err), () -> false);
        System.out.printf(Locale.ROOT, "fine-tuning done (%s): best validation Dice %.4f at epoch %s%n",
                s.get("stopped_by"), s.get("best_val_dice"), s.get("best_epoch"));
        System.out.println("best checkpoint: " + s.get("bestCheckpoint"));
        System.out.println("metrics: " + Path.of(String.valueOf(s.get("runDir"))).resolve("metrics.json"));
        return 0;
    }
}
