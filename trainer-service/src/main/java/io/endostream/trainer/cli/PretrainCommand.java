package io.endostream.trainer.cli;

import io.endostream.trainer.pretrain.PretrainConfig;
import io.endostream.trainer.pretrain.PretrainObjective;
import io.endostream.trainer.pretrain.Pretrainer;
import io.endostream.trainer.run.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Self-supervised pretraining on unlabelled frames (image folders, recursive; video files).",
                "Writes config.json, metrics.json (with the skip diagnostic), checkpoints/last.zip and pictures/ into --run-dir."})
public class PretrainCommand implements Callable<Integer> {

    @Option(names = "--unlabelled", required = true, split = ",", description = "Folders (recursive), image or video files; comma-separated or repeated.")
    List<Path> sources;

    @Option(names = "--run-dir", required = true, description = "Run folder (created).")
    Path runDir;

    @Option(names = "--objective", defaultValue = "inpaint", description = "reconstruct | inpaint | denoise (default ${DEFAULT-VALUE}).")
    String objective;

    @Option(names = "--epochs", defaultValue = "5", description = "Passes over the frames (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "8", description = "Images per iteration (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-minutes", defaultValue = "0", description = "Wall-clock budget; stops after the iteration that crosses it (0 = none).")
    double maxMinutes;

    @Option(names = "--max-frames", defaultValue = "0", description = "Use at most this many frames (0 = all).")
    int maxFrames;

    @Option(names = "--video-step", defaultValue = "5", description = "Keep every n-th video frame (default ${DEFAULT-VALUE}).")
    int videoStep;

    @Option(names = "--exclude-dataset", description = "Labelled dataset whose validation/test images must not be pretrained on (leakage guard by pixel hash).")
    Path excludeDataset;

    @Mixin
    SplitOptions split;

    @Option(names = "--freeze-encoder", description = "Train only decoder and head.")
    boolean freezeEncoder;

    @Option(names = "--init", description = "Start from this checkpoint instead of a fresh network.")
    Path init;

    @Option(names = "--resume", description = "Continue from <run-dir>/checkpoints/last.zip when present.")
    boolean resume;

    @Option(names = "--diagnostic-images", defaultValue = "32", description = "Frames held out for the per-epoch loss and skip diagnostic (default ${DEFAULT-VALUE}).")
    int diagnosticImages;

    @Option(names = "--no-augment", description = "Turn augmentation off.")
    boolean noAugment;

    @Option(names = "--seed", defaultValue = "7", description = "Shuffling/corruption seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ModelOptions model;

    @Override
    public Integer call() {
        PretrainConfig cfg = new PretrainConfig(runDir.toString(), model.toConfig(), PretrainObjective.parse(objective),
                sources.stream().map(Path::toString).toList(), videoStep, maxFrames,
                excludeDataset == null ? null : excludeDataset.toString(), split.validationFraction, split.splitSeed,
                split.testListOrNull(), epochs, batch, maxMinutes, freezeEncoder, init == null ? null : init.toString(),
                resume, diagnosticImages, !noAugment, seed);
        Pretrainer.Result r = Pretrainer.run(cfg, new ConsoleProgressBar(System.err), () -> false);
        System.out.println("pretraining done: " + r.runDir());
        System.out.printf("skip diagnostic: objective MSE %.5f with skips, %.5f without (x%.1f); clean MSE %.5f / %.5f (x%.1f)%n",
                r.diagnostic().objectiveWithSkips(), r.diagnostic().objectiveWithoutSkips(), r.diagnostic().objectiveGapRatio(),
                r.diagnostic().cleanWithSkips(), r.diagnostic().cleanWithoutSkips(), r.diagnostic().cleanGapRatio());
        System.out.println("checkpoint: " + r.checkpoint());
        System.out.println("metrics: " + new RunFolder(r.runDir()).metrics());
        return 0;
    }
}
