package io.endostream.trainer.evaluate;

import io.endostream.trainer.dataset.DatasetSplit;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.SplitFingerprint;
import io.endostream.trainer.model.ModelCheckpoints;
import io.endostream.trainer.report.SampleGrid;
import io.endostream.trainer.run.ModelConfigs;
import io.endostream.trainer.run.ProgressListener;
import io.endostream.trainer.run.ProgressTracker;
import io.endostream.trainer.run.RunFolder;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** The {@code evaluate} command: Dice, IoU, precision, recall per image and mean, written as metrics.json. */
public final class EvaluationRun {
    private EvaluationRun() {
    }

    public record Result(Path runDir, Path json, SegmentationEvaluator.Evaluation evaluation) {
    }

    public static Result run(EvaluateConfig cfg, ProgressListener listener, BooleanSupplier cancelled) {
        RunFolder run = new RunFolder(Path.of(cfg.runDir()));
        run.writeConfig(cfg);
        ModelCheckpoints.Checkpoint cp = ModelCheckpoints.load(Path.of(cfg.checkpoint()));
        int size = ModelConfigs.fromState(cp.state(), cfg.checkpoint()).inputSize();
        if (cp.graph().getConfiguration().getNetworkOutputs().stream().noneMatch("mask"::equals)) {
            throw new IllegalArgumentException(cfg.checkpoint() + " is not a segmentation checkpoint (no 'mask' output): "
                    + "evaluate a fine-tuning run's best.zip");
        }
        KvasirSegDataset dataset = KvasirSegDataset.open(Path.of(cfg.dataset()));
        Path testList = cfg.testList() == null ? null : Path.of(cfg.testList());
        if ("test".equals(cfg.split()) && testList == null) {
            throw new IllegalArgumentException("--split test needs --test-list (the held-out images); "
                    + "use --split validation to score the early-stopping set");
        }
        DatasetSplit split = DatasetSplit.of(dataset, cfg.validationFraction(), cfg.splitSeed(), testList);
        if (!"all".equals(cfg.split())) {
            // the held-out images are only held out if the checkpoint was trained on this very split
            SplitFingerprint.of(split, cfg.validationFraction(), cfg.splitSeed(), testList)
                    .check(SplitFingerprint.fromState(cp.state()), cfg.checkpoint(), true);
        }
        List<KvasirSegDataset.Pair> pairs = switch (cfg.split()) {
            case "test" -> split.test();
            case "validation" -> split.validation();
            case "all" -> dataset.pairs();
            default -> throw new IllegalArgumentException("split must be test, validation or all, was '" + cfg.split() + "'");
        };
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("the '" + cfg.split() + "' split of " + cfg.dataset() + " is empty");
        }
        List<Sample> samples = KvasirSegDataset.load(pairs, size);
        ProgressTracker tracker = new ProgressTracker("evaluate", samples.size(), listener, cancelled);
        SegmentationEvaluator.Evaluation evaluation = SegmentationEvaluator.evaluate(cp.graph(), samples, cfg.batchSize(),
                cfg.threshold(), tracker);
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("kind", "evaluate");
        about.put("checkpoint", cfg.checkpoint());
        about.put("dataset", cfg.dataset());
        about.put("split", cfg.split());
        run.writeMetrics(evaluation.toJson(about));

        List<float[]> maps = SegmentationEvaluator.predict(cp.graph(), samples, 8);
        List<byte[]> input = new ArrayList<>();
        List<byte[]> target = new ArrayList<>();
        List<byte[]> prediction = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            input.add(samples.get(i).bgr());
            target.add(SampleGrid.maskTile(samples.get(i).mask()));
            prediction.add(SampleGrid.probabilityTile(maps.get(i)));
        }
        SampleGrid.write(run.pictures().resolve("samples.png"), size, List.of(new SampleGrid.Row("input", input),
                new SampleGrid.Row("target", target), new SampleGrid.Row("prediction", prediction)));
        return new Result(run.dir(), run.metrics(), evaluation);
    }
}
