package io.endostream.trainer.cli;

import io.endostream.trainer.evaluate.EvaluateConfig;
import io.endostream.trainer.evaluate.EvaluationRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Dice, IoU, precision and recall per image and mean of a fine-tuned checkpoint on a held-out split.",
                "Writes the figures as <run-dir>/metrics.json and a sample grid as pictures/samples.png."})
public class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, description = "Fine-tuning checkpoint (best.zip).")
    Path checkpoint;

    @Option(names = "--dataset", required = true, description = "Labelled dataset root (images/, masks/).")
    Path dataset;

    @Option(names = "--run-dir", required = true, description = "Output folder (created).")
    Path runDir;

    @Option(names = "--split", defaultValue = "test", description = "test | validation | all; test = the --test-list, else validation (default ${DEFAULT-VALUE}).")
    String split;

    @Mixin
    SplitOptions splitOptions;

    @Option(names = "--threshold", defaultValue = "0.5", description = "Probability threshold (default ${DEFAULT-VALUE}).")
    double threshold;

    @Option(names = "--batch", defaultValue = "8", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() {
        EvaluationRun.Result r = EvaluationRun.run(new EvaluateConfig(runDir.toString(), checkpoint.toString(),
                dataset.toString(), split, splitOptions.validationFraction, splitOptions.splitSeed,
                splitOptions.testListOrNull(), threshold, batch), new ConsoleProgressBar(System.err), () -> false);
        System.out.printf("%d images: Dice %.4f  IoU %.4f  precision %.4f  recall %.4f%n", r.evaluation().perImage().size(),
                r.evaluation().meanDice(), r.evaluation().meanIou(), r.evaluation().meanPrecision(), r.evaluation().meanRecall());
        System.out.println("evaluation: " + r.json());
        return 0;
    }
}
