package io.endostream.trainer.finetune;

import io.endostream.trainer.run.TrainingHistory;

import io.endostream.trainer.dataset.Augmentation;
import io.endostream.trainer.dataset.DatasetSplit;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.LabelSubset;
import io.endostream.trainer.dataset.SplitFingerprint;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.SegmentationIterator;
import io.endostream.trainer.evaluate.SegmentationEvaluator;
import io.endostream.trainer.model.MobileNetV2UNet;
import io.endostream.trainer.model.ModelCheckpoints;
import io.endostream.trainer.model.UNetConfig;
import io.endostream.trainer.report.SampleGrid;
import io.endostream.trainer.report.TrainingCharts;
import io.endostream.trainer.run.LearningRateSchedule;
import io.endostream.trainer.run.ModelConfigs;
import io.endostream.trainer.run.ProgressListener;
import io.endostream.trainer.run.ProgressTracker;
import io.endostream.trainer.run.RunFolder;
import io.endostream.trainer.run.TrainingBudget;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Fine-tunes the segmentation head (and body) on labelled masks: from a pretraining checkpoint (encoder optionally
 * frozen for the first epochs) or from scratch; BCE + soft Dice; early stopping on validation Dice; learning-rate
 * schedule; last/best checkpoints; resume; time budget.
 */
public final class Finetuner {
    private static final int PICTURE_SAMPLES = 6;

    public record Result(Path runDir, Path bestCheckpoint, double bestValidationDice, int bestEpoch,
                         Map<String, Object> metrics) {
    }

    private Finetuner() {
    }

    public static Result run(FinetuneConfig cfg, ProgressListener listener, BooleanSupplier cancelled) {
        RunFolder run = new RunFolder(Path.of(cfg.runDir()));
        run.writeConfig(cfg);
        if (!"full".equals(cfg.transfer()) && !"encoder".equals(cfg.transfer())) {
            throw new IllegalArgumentException("--transfer must be full or encoder, was '" + cfg.transfer() + "'");
        }
        if (cfg.maxIterations() < 0 || cfg.evalEvery() < 0) {
            throw new IllegalArgumentException("--max-iterations and --eval-every must be >= 0");
        }
        KvasirSegDataset dataset = KvasirSegDataset.open(Path.of(cfg.dataset()));
        Path testList = cfg.testList() == null ? null : Path.of(cfg.testList());
        DatasetSplit split = DatasetSplit.of(dataset, cfg.validationFraction(), cfg.splitSeed(), testList);
        SplitFingerprint fingerprint = SplitFingerprint.of(split, cfg.validationFraction(), cfg.splitSeed(), testList);
        ProgressTracker loading = new ProgressTracker("loading", 0, listener, cancelled);
        loading.report(Map.of(), "reading labelled dataset");

        // network first: a pretrained checkpoint fixes the input size
        UNetConfig model = cfg.model();
        ComputationGraph graph;
        boolean frozen;
        int startEpoch = 0;
        long iteration = 0;
        double bestDice = -1;
        int bestEpoch = 0;
        int badEpochs = 0;
        List<Map<String, Double>> history = new ArrayList<>();
        String start;
        if (cfg.resume() && Files.isRegularFile(run.lastCheckpoint())) {
            ModelCheckpoints.Checkpoint cp = ModelCheckpoints.load(run.lastCheckpoint());
            Map<String, Object> s = cp.state();
            fingerprint.check(SplitFingerprint.fromState(s), run.lastCheckpoint().toString(), true);
            graph = cp.graph();
            model = ModelConfigs.fromState(s, run.lastCheckpoint().toString()).withLearningRate(cfg.model().learningRate());
            startEpoch = ((Number) s.get("epoch")).intValue();
            iteration = ((Number) s.get("iteration")).longValue();
            bestDice = ((Number) s.get("best_val_dice")).doubleValue();
            bestEpoch = ((Number) s.get("best_epoch")).intValue();
            badEpochs = ((Number) s.get("bad_epochs")).intValue();
            frozen = Boolean.TRUE.equals(s.get("frozen"));
            history = TrainingHistory.fromState(s);
            start = String.valueOf(s.getOrDefault("start", "resumed"));
        } else if (cfg.pretrained() != null) {
            ModelCheckpoints.Checkpoint cp = ModelCheckpoints.load(Path.of(cfg.pretrained()));
            // a pretraining run that excluded this dataset's evaluation images must have used this very split
            fingerprint.check(SplitFingerprint.fromState(cp.state()), cfg.pretrained(), false);
            model = ModelConfigs.fromState(cp.state(), cfg.pretrained()).withLearningRate(cfg.model().learningRate())
                    .withSeed(cfg.model().seed());
            frozen = cfg.freezeEncoderEpochs() > 0;
            if ("encoder".equals(cfg.transfer())) {
                graph = MobileNetV2UNet.encoderOnly(cp.graph(), model);
                if (frozen) {
                    graph = new org.deeplearning4j.nn.transferlearning.TransferLearning.GraphBuilder(graph)
                            .setFeatureExtractor(MobileNetV2UNet.ENCODER_OUTPUT).build();
                }
                start = "pretrained-encoder:" + cfg.pretrained();
            } else {
                graph = MobileNetV2UNet.toSegmentation(MobileNetV2UNet.unfreeze(cp.graph()), model, frozen);
                start = "pretrained:" + cfg.pretrained();
            }
        } else {
            graph = MobileNetV2UNet.build(model, MobileNetV2UNet.Head.SEGMENTATION);
            frozen = false;
            start = "scratch";
        }
        int size = model.inputSize();

        if (split.validation().isEmpty()) {
            throw new IllegalArgumentException("fine-tuning needs validation images for early stopping: "
                    + dataset.size() + " images with validation fraction " + cfg.validationFraction());
        }
        List<KvasirSegDataset.Pair> labelled = LabelSubset.select(split.train(), cfg.labelFraction(), cfg.labelCount(),
                cfg.labelSeed());
        List<Sample> trainSamples = KvasirSegDataset.load(labelled, size);
        List<Sample> valSamples = KvasirSegDataset.load(split.validation(), size);
        refuseMostlyEmpty(dataset.root(), trainSamples, valSamples);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("dataset", cfg.dataset());
        data.put("split", fingerprint.toMap());
        data.put("split_train_images", split.train().size());
        data.put("label_fraction", cfg.labelCount() > 0 ? (double) cfg.labelCount() / split.train().size() : cfg.labelFraction());
        data.put("label_seed", cfg.labelSeed());
        data.put("train_images", trainSamples.size());
        data.put("validation_images", valSamples.size());
        data.put("test_images", split.test().size());
        data.put("start", start);

        SegmentationIterator train = new SegmentationIterator(trainSamples, cfg.batchSize(), true,
                cfg.augment() ? Augmentation.standard() : null, cfg.seed() + startEpoch);
        LearningRateSchedule schedule = LearningRateSchedule.parse(cfg.schedule());
        TrainingBudget budget = new TrainingBudget(cfg.maxMinutes());
        boolean iterationBudget = cfg.maxIterations() > 0;
        int rounds = iterationBudget ? Integer.MAX_VALUE : cfg.epochs();
        long total = iterationBudget ? Math.max(0, cfg.maxIterations() - iteration)
                : (long) (cfg.epochs() - startEpoch) * train.batchesPerEpoch();
        ProgressTracker tracker = new ProgressTracker("finetune", total, listener, cancelled);
        String stoppedBy = iterationBudget ? "iteration budget of " + cfg.maxIterations() : "epochs";
        double trainSeconds = 0;
        long trainImages = 0;
        int epoch = startEpoch;
        double lr = Double.NaN;
        if (iterationBudget && iteration >= cfg.maxIterations()) {
            epoch = rounds; // resumed a finished run: nothing left to train
        }
        for (; epoch < rounds; epoch++) {
            if (frozen && epoch >= cfg.freezeEncoderEpochs()) {
                graph = MobileNetV2UNet.unfreeze(graph);
                frozen = false;
                lr = Double.NaN;
            }
            if (!iterationBudget) {
                lr = schedule.rate(model.learningRate(), epoch, cfg.epochs());
                graph.setLearningRate(lr);
            }
            if (!train.hasNext()) {
                train.reset();
            }
            double lossSum = 0;
            int batches = 0;
            boolean outOfTime = false;
            while (true) {
                if (!train.hasNext()) {
                    if (cfg.evalEvery() == 0) {
                        break; // a round is an epoch
                    }
                    train.reset();
                }
                if (iterationBudget) {
                    // step-based schedule: the rate depends on the update count only, so equal budgets get equal schedules
                    double want = schedule.rate(model.learningRate(), (int) iteration, (int) cfg.maxIterations());
                    if (Double.isNaN(lr) || Math.abs(want - lr) > 0.01 * lr) {
                        graph.setLearningRate(want);
                        lr = want;
                    }
                }
                DataSet ds = train.next();
                long t0 = System.nanoTime();
                graph.fit(ds);
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                trainImages += ds.numExamples();
                iteration++;
                batches++;
                lossSum += graph.score();
                tracker.step(1, Map.of("loss", graph.score(), "best_val_dice", Math.max(0, bestDice)),
                        iterationBudget ? "iteration " + iteration + "/" + cfg.maxIterations()
                                : "epoch " + (epoch + 1) + "/" + cfg.epochs());
                if (budget.exhausted()) {
                    outOfTime = true;
                    break;
                }
                if (iterationBudget && iteration >= cfg.maxIterations()) {
                    break;
                }
                if (cfg.evalEvery() > 0 && iteration % cfg.evalEvery() == 0) {
                    break;
                }
            }
            SegmentationEvaluator.Evaluation val = SegmentationEvaluator.evaluate(graph, valSamples, cfg.batchSize(),
                    cfg.threshold(), null);
            double dice = val.meanDice();
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("epoch", (double) (epoch + 1));
            row.put("iteration", (double) iteration);
            row.put("learning_rate", lr);
            row.put("train_loss", lossSum / Math.max(1, batches));
            row.put("val_dice", dice);
            row.put("val_iou", val.meanIou());
            row.put("val_precision", val.meanPrecision());
            row.put("val_recall", val.meanRecall());
            row.put("encoder_frozen", frozen ? 1.0 : 0.0);
            history.add(row);
            if (dice > bestDice) {
                bestDice = dice;
                bestEpoch = epoch + 1;
                badEpochs = 0;
            } else {
                badEpochs++;
            }
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("kind", "finetune");
            state.put("start", start);
            state.put("epoch", epoch + 1);
            state.put("iteration", iteration);
            state.put("best_val_dice", bestDice);
            state.put("best_epoch", bestEpoch);
            state.put("bad_epochs", badEpochs);
            state.put("frozen", frozen);
            state.put("model", ModelConfigs.toMap(model));
            state.put("data", data);
            state.put(SplitFingerprint.STATE_KEY, fingerprint.toMap());
            state.put("history", history);
            if (bestEpoch == epoch + 1) {
                ModelCheckpoints.save(graph, run.bestCheckpoint(), state);
            }
            ModelCheckpoints.save(graph, run.lastCheckpoint(), state);
            writePicture(run, graph, valSamples, epoch + 1, size);
            TrainingCharts.write(run.pictures().resolve("curves.png"), "finetune", history, List.of("train_loss"),
                    "loss (BCE + soft Dice)", List.of("val_dice", "val_iou"), "validation");
            run.writeMetrics(metrics(data, history, bestDice, bestEpoch, iteration, trainImages, trainSeconds,
                    "running", epoch + 1));
            tracker.report(Map.of("val_dice", dice, "best_val_dice", bestDice), "epoch " + (epoch + 1) + " done");
            if (iterationBudget && iteration >= cfg.maxIterations()) {
                epoch++;
                break;
            }
            if (outOfTime || budget.exhausted()) {
                stoppedBy = "time budget of " + cfg.maxMinutes() + " min";
                epoch++;
                break;
            }
            if (cfg.patience() > 0 && badEpochs >= cfg.patience()) {
                stoppedBy = "early stopping: no better validation Dice for " + cfg.patience() + " epochs";
                epoch++;
                break;
            }
        }
        Map<String, Object> metrics = metrics(data, history, bestDice, bestEpoch, iteration, trainImages, trainSeconds,
                stoppedBy, epoch);
        run.writeMetrics(metrics);
        return new Result(run.dir(), run.bestCheckpoint(), bestDice, bestEpoch, metrics);
    }

    /** Share of masks without any polyp pixel above which a dataset is refused (empty on empty scores Dice 1). */
    static final double MAX_EMPTY_MASK_SHARE = 0.5;

    static void refuseMostlyEmpty(Path root, List<Sample> train, List<Sample> validation) {
        long empty = 0;
        long n = 0;
        for (List<Sample> part : List.of(train, validation)) {
            for (Sample s : part) {
                n++;
                boolean any = false;
                for (byte b : s.mask()) {
                    if (b != 0) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    empty++;
                }
            }
        }
        if (n > 0 && empty > MAX_EMPTY_MASK_SHARE * n) {
            throw new io.endostream.trainer.dataset.DatasetException(root.resolve("masks"), empty + " of " + n
                    + " training/validation masks are empty at the model's input size: Dice would reward predicting "
                    + "nothing (are the masks stored as 0/255 or 0/1 grey images?)");
        }
    }

    private static Map<String, Object> metrics(Map<String, Object> data, List<Map<String, Double>> history, double bestDice,
                                               int bestEpoch, long iteration, long trainImages, double trainSeconds,
                                               String stoppedBy, int epochsDone) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "finetune");
        m.put("epochs_done", epochsDone);
        m.put("iterations", iteration);
        m.put("stopped_by", stoppedBy);
        m.put("best_val_dice", bestDice);
        m.put("best_epoch", bestEpoch);
        history.stream().filter(r -> r.get("epoch") == bestEpoch).findFirst().ifPresent(r -> {
            m.put("best_val_iou", r.get("val_iou"));
            m.put("best_val_precision", r.get("val_precision"));
            m.put("best_val_recall", r.get("val_recall"));
        });
        m.put("train_seconds", trainSeconds);
        m.put("train_images_per_second", trainSeconds > 0 ? trainImages / trainSeconds : 0);
        m.put("data", data);
        m.put("history", history);
        return m;
    }

    private static void writePicture(RunFolder run, ComputationGraph graph, List<Sample> samples, int epoch, int size) {
        List<float[]> maps = SegmentationEvaluator.predict(graph, samples, PICTURE_SAMPLES);
        List<byte[]> input = new ArrayList<>();
        List<byte[]> target = new ArrayList<>();
        List<byte[]> prediction = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            input.add(samples.get(i).bgr());
            target.add(SampleGrid.maskTile(samples.get(i).mask()));
            prediction.add(SampleGrid.probabilityTile(maps.get(i)));
        }
        SampleGrid.write(run.pictures().resolve(String.format("epoch-%03d.png", epoch)), size, List.of(
                new SampleGrid.Row("input", input), new SampleGrid.Row("target", target),
                new SampleGrid.Row("prediction", prediction)));
    }
}
