package io.endostream.trainer.cli;

import io.endostream.trainer.pretrain.PretrainConfig;
import io.endostream.trainer.pretrain.PretrainObjective;
import io.endostream.trainer.pretrain.Pretrainer;
import io.endostream.trainer.run.ProgressListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Self-supervised pretraining on unlabelled frames (image folders, recursive; video files).",
                "Writes config.json, metrics.json (with the skip diagnostic), checkpoints/last.zip and pictures/ into --run-dir."})
public class PretrainCommand extends RunFolderCommand implements Callable<Integer> {

    @Option(names = "--unlabelled", required = true, split = ",", description = "Folders (recursive), image or video files; comma-separated or repeated.")
    List<Path> sources;


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

    @Option(names = "--max-iterations", defaultValue = "0", description = "Iteration budget (0 = none): equal budgets across objectives.")
    long maxIterations;

    @Mixin
    ModelOptions model;


    @Override
    public Map<String, Object> execute(ProgressListener listener, BooleanSupplier cancelled) {
        prepareRunDir(resume);
        PretrainConfig cfg = new PretrainConfig(runDir.toString(), model.toConfig(), PretrainObjective.parse(objective),
                sources.stream().map(Path::toString).toList(), videoStep, maxFrames,
                excludeDataset == null ? null : excludeDataset.toString(), split.validationFraction, split.splitSeed,
                split.testListOrNull(), epochs, batch, maxMinutes, freezeEncoder, init == null ? null : init.toString(),
                resume, diagnosticImages, !noAugment, seed, maxIterations);
        Pretrainer.Result r = Pretrainer.run(cfg, listener, cancelled);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runDir", r.runDir().toString());
        summary.put("checkpoint", r.checkpoint().toString());
        summary.put("stopped_by", r.metrics().get("stopped_by"));
        summary.put("skip_diagnostic", r.diagnostic().toMap());
        return summary;
    }

    @Override
    public Integer call() {
        Map<String, Object> s = execute(new ConsoleProgressBar(System.err), () -> false);
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) s.get("skip_diagnostic");
        System.out.println("pretraining done (" + s.get("stopped_by") + "): " + s.get("runDir"));
        System.out.printf(Locale.ROOT, "skip diagnostic: objective MSE %.5f with skips, %.5f without (x%.1f); clean MSE %.5f / %.5f (x%.1f)%n",
                d.get("objective_mse_with_skips"), d.get("objective_mse_without_skips"), d.get("objective_gap_ratio"),
                d.get("clean_mse_with_skips"), d.get("clean_mse_without_skips"), d.get("clean_gap_ratio"));
        System.out.println("checkpoint: " + s.get("checkpoint"));
        System.out.println("metrics: " + Path.of(String.valueOf(s.get("runDir"))).resolve("metrics.json"));
        return 0;
    }
}
