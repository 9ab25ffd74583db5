package io.endostream.trainer.cli;

import io.endostream.trainer.evaluate.EvaluateConfig;
import io.endostream.trainer.evaluate.EvaluationRun;
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

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Dice, IoU, precision and recall per image and mean of a fine-tuned checkpoint on a held-out split.",
                "Writes the figures as <run-dir>/metrics.json and a sample grid as pictures/samples.png."})
public class EvaluateCommand extends RunFolderCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "Fine-tuning checkpoint (best.zip).")
    Path checkpoint;

    @Option(names = "--dataset", required = true, description = "Labelled dataset root (images/, masks/).")
    Path dataset;


    @Option(names = "--split", defaultValue = "test", description = "test | validation | all; test needs --test-list (default ${DEFAULT-VALUE}).")
    String split;

    @Mixin
    SplitOptions splitOptions;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Probability threshold (default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--batch", defaultValue = "8", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;


    @Override
    public Map<String, Object> execute(ProgressListener listener, BooleanSupplier cancelled) {
        prepareRunDir(false);
        EvaluationRun.Result r = EvaluationRun.run(new EvaluateConfig(runDir.toString(), checkpoint.toString(),
                dataset.toString(), split, splitOptions.validationFraction, splitOptions.splitSeed,
                splitOptions.testListOrNull(), threshold, batch), listener, cancelled);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("runDir", r.runDir().toString());
        summary.put("evaluation", r.json().toString());
        summary.put("images", r.evaluation().perImage().size());
        summary.put("mean", r.evaluation().means());
        return summary;
    }

    @Override
    public Integer call() {
        Map<String, Object> s = execute(new ConsoleProgressBar(System.err), () -> false);
        @SuppressWarnings("unchecked")
        Map<String, Double> m = (Map<String, Double>) s.get("mean");
        System.out.printf(Locale.ROOT, "%s images: Dice %.4f  IoU %.4f  precision %.4f  recall %.4f%n", s.get("images"),
                m.get("dice"), m.get("iou"), m.get("precision"), m.get("recall"));
        System.out.println("evaluation: " + s.get("evaluation"));
        return 0;
    }
}
