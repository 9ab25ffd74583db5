package io.endostream.trainer.pretrain;

import io.endostream.trainer.run.TrainingHistory;

import io.endostream.trainer.dataset.Augmentation;
import io.endostream.trainer.dataset.DatasetSplit;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.dataset.SplitFingerprint;
import io.endostream.trainer.dataset.Tensors;
import io.endostream.trainer.dataset.UnlabelledSources;
import io.endostream.trainer.model.MobileNetV2UNet;
import io.endostream.trainer.model.ModelCheckpoints;
import io.endostream.trainer.model.UNetConfig;
import io.endostream.trainer.report.SampleGrid;
import io.endostream.trainer.report.TrainingCharts;
import io.endostream.trainer.run.ModelConfigs;
import io.endostream.trainer.run.ProgressListener;
import io.endostream.trainer.run.ProgressTracker;
import io.endostream.trainer.run.RunFolder;
import io.endostream.trainer.run.TrainingBudget;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Self-supervised pretraining of the U-Net's reconstruction head on unlabelled frames, with checkpoints, resume, a
 * time budget, per-epoch pictures and the skip diagnostic in metrics.json.
 */
public final class Pretrainer {
    private static final int PICTURE_SAMPLES = 6;

    /** What a finished (or budget-stopped) run produced. */
    public record Result(Path runDir, Path checkpoint, SkipDiagnostic diagnostic, Map<String, Object> metrics) {
    }

    private Pretrainer() {
    }

    public static Result run(PretrainConfig cfg, ProgressListener listener, BooleanSupplier cancelled) {
        RunFolder run = new RunFolder(Path.of(cfg.runDir()));
        run.writeConfig(cfg);
        UNetConfig model = cfg.model();
        int size = model.inputSize();

        ProgressTracker loading = new ProgressTracker("loading", 0, listener, cancelled);
        loading.report(Map.of(), "reading unlabelled frames");
        Set<String> evaluationHashes = new HashSet<>();
        List<float[]> evaluationSignatures = List.of();
        int evaluationImages = 0;
        SplitFingerprint fingerprint = null;
        if (cfg.evaluationDataset() != null) {
            KvasirSegDataset labelled = KvasirSegDataset.open(Path.of(cfg.evaluationDataset()));
            Path testList = cfg.testList() == null ? null : Path.of(cfg.testList());
            DatasetSplit split = DatasetSplit.of(labelled, cfg.validationFraction(), cfg.splitSeed(), testList);
            fingerprint = SplitFingerprint.of(split, cfg.validationFraction(), cfg.splitSeed(), testList);
            if (cfg.resume() && Files.isRegularFile(run.lastCheckpoint())) {
                // the frames already trained on were filtered against the stored split: it must be this one
                fingerprint.check(SplitFingerprint.fromState(ModelCheckpoints.loadState(run.lastCheckpoint())),
                        run.lastCheckpoint().toString(), true);
            }
            evaluationHashes.addAll(KvasirSegDataset.pixelHashes(split.evaluation()));
            evaluationSignatures = KvasirSegDataset.signatures(split.evaluation());
            evaluationImages = split.evaluation().size();
        }
        UnlabelledSources sources = new UnlabelledSources(cfg.sources().stream().map(Path::of).toList(),
                cfg.videoFrameStep(), cfg.maxFrames()).withNearDuplicateGuard(evaluationSignatures);
        UnlabelledSources.Loaded loaded = sources.load(size, evaluationHashes);
        List<Sample> all = new ArrayList<>(loaded.samples());
        if (all.size() < 2) {
            throw new IllegalArgumentException("pretraining needs at least 2 unlabelled frames, found " + all.size()
                    + " in " + cfg.sources() + " (" + loaded.excludedAsEvaluation() + " excluded as evaluation images)");
        }
        Collections.shuffle(all, new Random(cfg.seed()));
        int nDiag = Math.max(1, Math.min(cfg.diagnosticImages(), all.size() / 5));
        List<Sample> diagnosticSamples = all.subList(0, nDiag);
        List<Sample> trainSamples = all.subList(nDiag, all.size());

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("unlabelled_images_read", loaded.imagesRead());
        data.put("unlabelled_video_frames_read", loaded.videoFramesRead());
        data.put("train_frames", trainSamples.size());
        data.put("diagnostic_frames", nDiag);
        Map<String, Object> leakage = new LinkedHashMap<>();
        leakage.put("evaluation_dataset", cfg.evaluationDataset());
        leakage.put("evaluation_images", evaluationImages);
        leakage.put("split", fingerprint == null ? null : fingerprint.toMap());
        leakage.put("excluded_frames", loaded.excludedAsEvaluation());
        leakage.put("excluded_as_near_duplicates", loaded.excludedAsNearDuplicate());
        leakage.put("near_duplicate_rule", "16x16 grey thumbnail correlation >= " + UnlabelledSources.NEAR_DUPLICATE_SIMILARITY);
        leakage.put("excluded", loaded.excludedIds().stream().limit(50).toList());
        data.put("leakage_guard", leakage);

        // network: resume > init checkpoint > fresh
        ComputationGraph graph;
        int startEpoch = 0;
        long iteration = 0;
        List<Map<String, Double>> history = new ArrayList<>();
        Map<String, Object> resumeState = null;
        if (cfg.resume() && Files.isRegularFile(run.lastCheckpoint())) {
            ModelCheckpoints.Checkpoint cp = ModelCheckpoints.load(run.lastCheckpoint());
            graph = cp.graph();
            resumeState = cp.state();
            startEpoch = ((Number) resumeState.getOrDefault("epoch", 0)).intValue();
            iteration = ((Number) resumeState.getOrDefault("iteration", 0)).longValue();
            history = TrainingHistory.fromState(resumeState);
        } else if (cfg.initCheckpoint() != null) {
            graph = ModelCheckpoints.load(Path.of(cfg.initCheckpoint())).graph();
        } else {
            graph = MobileNetV2UNet.build(model, MobileNetV2UNet.Head.RECONSTRUCTION);
        }
        if (cfg.freezeEncoder() && resumeState == null) {
            graph = new TransferLearning.GraphBuilder(graph).setFeatureExtractor(MobileNetV2UNet.ENCODER_OUTPUT).build();
        }

        PretextIterator train = new PretextIterator(trainSamples, cfg.batchSize(), true,
                cfg.augment() ? Augmentation.standard() : null, cfg.objective(), cfg.seed() + startEpoch);
        List<DataSet> diagnosticBatches = new ArrayList<>();
        PretextIterator diag = new PretextIterator(diagnosticSamples, cfg.batchSize(), false, null, cfg.objective(), cfg.seed() + 1);
        while (diag.hasNext()) {
            diagnosticBatches.add(diag.next());
        }

        TrainingBudget budget = new TrainingBudget(cfg.maxMinutes());
        boolean iterationBudget = cfg.maxIterations() > 0;
        int epochs = iterationBudget ? Integer.MAX_VALUE : cfg.epochs();
        long totalIterations = iterationBudget ? Math.max(0, cfg.maxIterations() - iteration)
                : (long) (cfg.epochs() - startEpoch) * train.batchesPerEpoch();
        ProgressTracker tracker = new ProgressTracker("pretrain", totalIterations, listener, cancelled);
        String stoppedBy = iterationBudget ? "iteration budget of " + cfg.maxIterations() : "epochs";
        double trainSeconds = 0;
        long trainImages = 0;
        SkipDiagnostic diagnostic = null;
        int epoch = startEpoch;
        if (iterationBudget && iteration >= cfg.maxIterations()) {
            epoch = epochs; // resumed a finished run
        }
        for (; epoch < epochs; epoch++) {
            train.reset();
            double lossSum = 0;
            int batches = 0;
            while (train.hasNext()) {
                DataSet ds = train.next();
                long t0 = System.nanoTime();
                graph.fit(ds);
                trainSeconds += (System.nanoTime() - t0) / 1e9;
                trainImages += ds.numExamples();
                iteration++;
                batches++;
                lossSum += graph.score();
                tracker.step(1, Map.of("loss", graph.score()), iterationBudget
                        ? "iteration " + iteration + "/" + cfg.maxIterations() : "epoch " + (epoch + 1) + "/" + cfg.epochs());
                if (budget.exhausted()) {
                    stoppedBy = "time budget of " + cfg.maxMinutes() + " min";
                    break;
                }
                if (iterationBudget && iteration >= cfg.maxIterations()) {
                    break;
                }
            }
            diagnostic = SkipDiagnostic.measure(graph, diagnosticBatches);
            Map<String, Double> row = new LinkedHashMap<>();
            row.put("epoch", (double) (epoch + 1));
            row.put("train_loss", lossSum / Math.max(1, batches));
            row.put("objective_mse_with_skips", diagnostic.objectiveWithSkips());
            row.put("objective_mse_without_skips", diagnostic.objectiveWithoutSkips());
            row.put("clean_mse_with_skips", diagnostic.cleanWithSkips());
            row.put("clean_mse_without_skips", diagnostic.cleanWithoutSkips());
            history.add(row);
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("kind", "pretrain");
            state.put("objective", cfg.objective().id());
            state.put("epoch", epoch + 1);
            state.put("iteration", iteration);
            state.put("model", ModelConfigs.toMap(model));
            if (fingerprint != null) {
                state.put(SplitFingerprint.STATE_KEY, fingerprint.toMap());
            }
            state.put("history", history);
            ModelCheckpoints.save(graph, run.lastCheckpoint(), state);
            writePictures(run, graph, diagnosticBatches, epoch + 1, size);
            TrainingCharts.write(run.pictures().resolve("curves.png"), "pretrain " + cfg.objective().id(), history,
                    List.of("train_loss"), "loss", List.of("objective_mse_with_skips", "objective_mse_without_skips",
                            "clean_mse_with_skips", "clean_mse_without_skips"), "MSE (diagnostic)");
            Map<String, Object> metrics = metrics(cfg, data, history, diagnostic, iteration, trainImages, trainSeconds, stoppedBy, epoch + 1);
            run.writeMetrics(metrics);
            tracker.report(Map.of("objective_mse", diagnostic.objectiveWithSkips(),
                    "objective_mse_without_skips", diagnostic.objectiveWithoutSkips()), "epoch " + (epoch + 1) + " done");
            if (budget.exhausted()) {
                stoppedBy = "time budget of " + cfg.maxMinutes() + " min";
                epoch++;
                break;
            }
            if (iterationBudget && iteration >= cfg.maxIterations()) {
                epoch++;
                break;
            }
        }
        if (diagnostic == null) { // resumed a finished run
            diagnostic = SkipDiagnostic.measure(graph, diagnosticBatches);
        }
        Map<String, Object> metrics = metrics(cfg, data, history, diagnostic, iteration, trainImages, trainSeconds, stoppedBy, epoch);
        run.writeMetrics(metrics);
        return new Result(run.dir(), run.lastCheckpoint(), diagnostic, metrics);
    }

    private static Map<String, Object> metrics(PretrainConfig cfg, Map<String, Object> data, List<Map<String, Double>> history,
                                               SkipDiagnostic diagnostic, long iteration, long trainImages,
                                               double trainSeconds, String stoppedBy, int epochsDone) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "pretrain");
        m.put("objective", cfg.objective().id());
        m.put("epochs_done", epochsDone);
        m.put("iterations", iteration);
        m.put("stopped_by", stoppedBy);
        m.put("train_seconds", trainSeconds);
        m.put("train_images_per_second", trainSeconds > 0 ? trainImages / trainSeconds : 0);
        m.put("data", data);
        m.put("skip_diagnostic", diagnostic.toMap());
        m.put("history", history);
        return m;
    }

    private static void writePictures(RunFolder run, ComputationGraph graph, List<DataSet> batches, int epoch, int size) {
        DataSet first = batches.get(0);
        int n = (int) Math.min(PICTURE_SAMPLES, first.numExamples());
        INDArray out = graph.outputSingle(false, first.getFeatures());
        List<byte[]> input = new ArrayList<>();
        List<byte[]> corrupted = new ArrayList<>();
        List<byte[]> reconstruction = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            input.add(Tensors.toBgr(first.getLabels(), i));
            corrupted.add(Tensors.toBgr(first.getFeatures(), i));
            reconstruction.add(Tensors.toBgr(out, i));
        }
        SampleGrid.write(run.pictures().resolve(String.format("epoch-%03d.png", epoch)), size, List.of(
                new SampleGrid.Row("input", input), new SampleGrid.Row("corrupted", corrupted),
                new SampleGrid.Row("reconstruction", reconstruction)));
    }
}
