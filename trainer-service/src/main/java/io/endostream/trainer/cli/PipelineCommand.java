package io.endostream.trainer.cli;

import io.endostream.trainer.run.Progress;
import io.endostream.trainer.run.ProgressListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * A new model version end to end: pretrain (a non-copyable objective by default) on unlabelled frames with the
 * leakage guard against the labelled split, fine-tune from it, evaluate the best checkpoint, export ONNX + manifest.
 * Each step is the existing subcommand, given its options as arguments (so its parsing, defaults and checks apply);
 * the steps write into sub-folders of {@code --run-dir} ({@link #PRETRAIN_DIR} ...). Small defaults (64x64, a few
 * hundred iterations) suit simulator data on a laptop; every step reports progress, prefixed "step i/4".
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"pretrain + finetune + evaluate + export in one run (small defaults for simulator data).",
                "Writes <run-dir>/pretrain, finetune, evaluate and export (model.onnx + manifest.json)."})
public class PipelineCommand extends RunFolderCommand implements Callable<Integer> {
    public static final String PRETRAIN_DIR = "pretrain";
    public static final String FINETUNE_DIR = "finetune";
    public static final String EVALUATE_DIR = "evaluate";
    public static final String EXPORT_DIR = "export";
    private static final int STEPS = 4;

    @Option(names = "--dataset", required = true, description = "Labelled dataset root (images/, masks/).")
    Path dataset;

    @Option(names = "--unlabelled", split = ",", description = "Frames to pretrain on (default: <dataset>/images; the leakage guard drops the split's validation and test images).")
    List<Path> unlabelled;

    @Mixin
    SplitOptions split;

    @Option(names = "--objective", defaultValue = "inpaint", description = "Pretraining objective: inpaint | denoise | reconstruct (default ${DEFAULT-VALUE}; reconstruct can be won by copying through the skips).")
    String objective;

    @Option(names = "--pretrain-iterations", defaultValue = "200", description = "Pretraining updates (default ${DEFAULT-VALUE}).")
    long pretrainIterations;

    @Option(names = "--finetune-iterations", defaultValue = "300", description = "Fine-tuning updates (default ${DEFAULT-VALUE}).")
    long finetuneIterations;

    @Option(names = "--eval-every", defaultValue = "50", description = "Validate and checkpoint every N fine-tuning updates (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--input-size", defaultValue = "64", description = "Square model input, a multiple of 32 (default ${DEFAULT-VALUE}).")
    int inputSize;

    @Option(names = "--batch", defaultValue = "8", description = "Images per iteration (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--pretrain-lr", defaultValue = "0.003", description = "Pretraining learning rate (default ${DEFAULT-VALUE}).")
    double pretrainLr;

    @Option(names = "--lr", defaultValue = "0.003", description = "Fine-tuning learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--max-frames", defaultValue = "0", description = "Pretrain on at most this many frames (0 = all).")
    int maxFrames;

    @Option(names = "--seed", defaultValue = "7", description = "Shuffling/augmentation seed of both trainings (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--name", defaultValue = "polyp-unet", description = "Model name (default ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--model-version", description = "Model version (default: the UTC time, e.g. 2026.11.29-114512).")
    String version;

    @Option(names = "--dataset-name", description = "Dataset description for the manifest (default: the path trained on).")
    String datasetName;

    @Override
    public Map<String, Object> execute(ProgressListener listener, BooleanSupplier cancelled) {
        Path root = prepareRunDir(false);
        String modelVersion = version != null ? version
                : DateTimeFormatter.ofPattern("yyyy.MM.dd-HHmmss").format(ZonedDateTime.now(ZoneOffset.UTC));
        List<String> splitArgs = new ArrayList<>(List.of("--val-fraction", String.valueOf(split.validationFraction),
                "--split-seed", String.valueOf(split.splitSeed)));
        if (split.testList != null) {
            splitArgs.addAll(List.of("--test-list", split.testList.toString()));
        }
        Path pretrainDir = root.resolve(PRETRAIN_DIR);
        Path finetuneDir = root.resolve(FINETUNE_DIR);
        Path evaluateDir = root.resolve(EVALUATE_DIR);
        Path exportDir = root.resolve(EXPORT_DIR);

        List<String> pretrain = new ArrayList<>(List.of("--unlabelled", String.join(",", (unlabelled == null
                        ? List.of(dataset.resolve("images")) : unlabelled).stream().map(Path::toString).toList()),
                "--exclude-dataset", dataset.toString(), "--objective", objective,
                "--max-iterations", String.valueOf(pretrainIterations), "--batch", String.valueOf(batch),
                "--input-size", String.valueOf(inputSize), "--lr", String.valueOf(pretrainLr),
                "--max-frames", String.valueOf(maxFrames), "--seed", String.valueOf(seed),
                "--run-dir", pretrainDir.toString()));
        pretrain.addAll(splitArgs);
        Map<String, Object> pretrained = step(1, new PretrainCommand(), pretrain, listener, cancelled);

        List<String> finetune = new ArrayList<>(List.of("--dataset", dataset.toString(),
                "--pretrained", pretrainDir.resolve("checkpoints/last.zip").toString(),
                "--max-iterations", String.valueOf(finetuneIterations), "--eval-every", String.valueOf(evalEvery),
                "--patience", "0", "--batch", String.valueOf(batch), "--lr", String.valueOf(lr),
                "--seed", String.valueOf(seed), "--run-dir", finetuneDir.toString()));
        finetune.addAll(splitArgs);
        Map<String, Object> finetuned = step(2, new FinetuneCommand(), finetune, listener, cancelled);
        String best = String.valueOf(finetuned.get("bestCheckpoint"));

        // without a test list the held-out part is the validation split (it also chose the best checkpoint: said so)
        List<String> evaluate = new ArrayList<>(List.of("--checkpoint", best, "--dataset", dataset.toString(),
                "--split", split.testList != null ? "test" : "validation", "--batch", String.valueOf(batch),
                "--run-dir", evaluateDir.toString()));
        evaluate.addAll(splitArgs);
        Map<String, Object> evaluated = step(3, new EvaluateCommand(), evaluate, listener, cancelled);

        List<String> export = new ArrayList<>(List.of("--checkpoint", best, "--evaluation",
                String.valueOf(evaluated.get("evaluation")), "--name", name, "--model-version", modelVersion,
                "--out", exportDir.toString()));
        if (datasetName != null) {
            export.addAll(List.of("--dataset-name", datasetName));
        }
        Map<String, Object> exported = step(4, new ExportCommand(), export, listener, cancelled);

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runDir", root.toString());
        summary.put("name", name);
        summary.put("version", modelVersion);
        summary.put("sha256", exported.get("sha256"));
        summary.put("evaluatedOn", split.testList != null ? "test" : "validation");
        summary.put("pretrain", pretrained);
        summary.put("finetune", finetuned);
        summary.put("evaluate", evaluated);
        summary.put("export", exported);
        return summary;
    }

    /** Runs one step: the subcommand parses its arguments as on the command line, then runs with our listener. */
    private static Map<String, Object> step(int index, RunnableCommand command, List<String> args,
                                            ProgressListener listener, BooleanSupplier cancelled) {
        new CommandLine(command).setExpandAtFiles(false).parseArgs(args.toArray(String[]::new));
        String prefix = "step " + index + "/" + STEPS + " ";
        return command.execute(p -> listener.update(new Progress(p.phase(), p.done(), p.total(), p.elapsedSeconds(),
                p.etaSeconds(), p.metrics(), prefix + p.phase() + ": " + p.message())), cancelled);
    }

    @Override
    public Integer call() {
        Map<String, Object> s = execute(new ConsoleProgressBar(System.err), () -> false);
        @SuppressWarnings("unchecked")
        Map<String, Object> ev = (Map<String, Object>) s.get("evaluate");
        @SuppressWarnings("unchecked")
        Map<String, Double> mean = (Map<String, Double>) ev.get("mean");
        System.out.printf(Locale.ROOT, "pipeline done: %s:%s, %s Dice %.4f IoU %.4f (%s images)%n", s.get("name"),
                s.get("version"), s.get("evaluatedOn"), mean.get("dice"), mean.get("iou"), ev.get("images"));
        System.out.println("exported: " + Path.of(String.valueOf(s.get("runDir"))).resolve(EXPORT_DIR)
                + " (sha256 " + s.get("sha256") + ")");
        return 0;
    }
}
