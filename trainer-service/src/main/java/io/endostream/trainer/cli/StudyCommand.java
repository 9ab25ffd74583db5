package io.endostream.trainer.cli;

import io.endostream.trainer.study.Study;
import io.endostream.trainer.study.StudyConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Label-efficiency study: arms {scratch, each --objective, encoder-only transfer of the best objective}",
                "x --fractions x --seeds, equal iteration budgets, fixed validation and test splits.",
                "Resumable: run the same command again and finished runs are skipped, interrupted ones resume.",
                "Writes run folders into --work-dir and runs.csv, summary.csv, summary.md, dice-vs-fraction.png and",
                "samples/ into --report-dir (re-aggregated after every run; --aggregate-only just rewrites the report)."})
public class StudyCommand implements Callable<Integer> {

    @Option(names = "--dataset", required = true, description = "Labelled dataset (images/, masks/).")
    Path dataset;

    @Option(names = "--unlabelled", required = true, split = ",", description = "Unlabelled folders/files for pretraining (evaluation images of --dataset are excluded by pixel hash).")
    List<Path> unlabelled;

    @Mixin
    SplitOptions split;

    @Option(names = "--work-dir", required = true, description = "Run folders (checkpoints; keep out of the repository).")
    Path workDir;

    @Option(names = "--report-dir", required = true, description = "CSV, Markdown, plot and sample grids.")
    Path reportDir;

    @Option(names = "--objectives", split = ",", defaultValue = "reconstruct,inpaint,denoise", description = "Pretraining objectives (default ${DEFAULT-VALUE}).")
    List<String> objectives;

    @Option(names = "--fractions", split = ",", defaultValue = "0.1,0.25,1", description = "Label fractions (default ${DEFAULT-VALUE}).")
    List<Double> fractions;

    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3", description = "Seeds (default ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--pretrain-iterations", defaultValue = "300", description = "Pretraining updates per objective and seed (default ${DEFAULT-VALUE}).")
    long pretrainIterations;

    @Option(names = "--pretrain-lr", defaultValue = "0.003", description = "Pretraining learning rate (default ${DEFAULT-VALUE}).")
    double pretrainLr;

    @Option(names = "--finetune-iterations", defaultValue = "200", description = "Fine-tuning updates of every run (default ${DEFAULT-VALUE}).")
    long finetuneIterations;

    @Option(names = "--eval-every", defaultValue = "50", description = "Validate every N fine-tuning updates (default ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--batch", defaultValue = "8", description = "Images per update (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-frames", defaultValue = "0", description = "Use at most this many unlabelled frames (0 = all).")
    int maxFrames;

    @Option(names = "--no-encoder-only", description = "Leave out the encoder-only transfer arm.")
    boolean noEncoderOnly;

    @Option(names = "--no-augment", description = "Turn augmentation off.")
    boolean noAugment;

    @Option(names = "--aggregate-only", description = "Only rewrite the report from the finished runs (after probing finished pretrainings' encoders).")
    boolean aggregateOnly;

    @Mixin
    ModelOptions model;

    StudyConfig config() {
        if (split.testList == null) {
            throw new IllegalArgumentException("--test-list is required: the study reports on held-out test images");
        }
        return new StudyConfig(workDir.toAbsolutePath().toString(), reportDir.toAbsolutePath().toString(),
                dataset.toAbsolutePath().toString(), split.testList.toAbsolutePath().toString(),
                unlabelled.stream().map(p -> p.toAbsolutePath().toString()).toList(), split.validationFraction,
                split.splitSeed, model.toConfig(), objectives, fractions, seeds, pretrainIterations, pretrainLr,
                finetuneIterations, evalEvery, batch, !noEncoderOnly, maxFrames, !noAugment);
    }

    @Override
    public Integer call() {
        Study study = new Study(config(), line -> System.out.println(LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + line));
        if (aggregateOnly) {
            study.probe();
            study.aggregate();
        } else {
            study.run(() -> false);
        }
        System.out.println("report: " + reportDir.resolve("summary.md"));
        return 0;
    }
}
