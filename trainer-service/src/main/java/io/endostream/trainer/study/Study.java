package io.endostream.trainer.study;

import io.endostream.trainer.dataset.DatasetSplit;
import io.endostream.trainer.dataset.KvasirSegDataset;
import io.endostream.trainer.dataset.Sample;
import io.endostream.trainer.evaluate.SegmentationEvaluator;
import io.endostream.trainer.finetune.FinetuneConfig;
import io.endostream.trainer.finetune.Finetuner;
import io.endostream.trainer.model.ModelCheckpoints;
import io.endostream.trainer.pretrain.PretrainConfig;
import io.endostream.trainer.pretrain.PretrainObjective;
import io.endostream.trainer.pretrain.Pretrainer;
import io.endostream.trainer.report.SampleGrid;
import io.endostream.trainer.run.ProgressListener;
import io.endostream.trainer.run.RunFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs a {@link StudyConfig}: resumable (a finished run leaves {@code done.json} / {@code result.json} and is
 * skipped; an interrupted one resumes from its last checkpoint), ordered seed by seed so a study stopped early still
 * has complete seeds, and re-aggregated after every run so the report is always current.
 */
public final class Study {
    public static final String SCRATCH = "scratch";
    public static final String ENCODER_PREFIX = "encoder-only:";

    private final StudyConfig cfg;
    private final Path work;
    private final Consumer<String> log;

    public Study(StudyConfig cfg, Consumer<String> log) {
        this.cfg = cfg;
        this.work = Path.of(cfg.workDir()).toAbsolutePath();
        this.log = log;
        if (cfg.testList() == null) {
            throw new IllegalArgumentException("a study needs --test-list: it reports on held-out test images");
        }
        if (cfg.fractions().isEmpty() || cfg.seeds().isEmpty()) {
            throw new IllegalArgumentException("a study needs at least one label fraction and one seed");
        }
        if (cfg.finetuneIterations() <= 0 || cfg.pretrainIterations() <= 0) {
            throw new IllegalArgumentException("a study needs iteration budgets (> 0) for pretraining and fine-tuning");
        }
        cfg.objectives().forEach(PretrainObjective::parse);
    }

    public static String pct(double fraction) {
        return String.format(Locale.ROOT, "%03d", Math.round(fraction * 100));
    }

    public Path pretrainDir(String objective, long seed) {
        return work.resolve("pretrain").resolve(objective + "-s" + seed);
    }

    public Path finetuneDir(String arm, double fraction, long seed) {
        return work.resolve("finetune").resolve(arm.replace(':', '-') + "-f" + pct(fraction) + "-s" + seed);
    }

    /** Runs every missing run, then aggregates. */
    public void run(BooleanSupplier cancelled) {
        RunFolder.writeJson(work.resolve("study.json"), cfg);
        KvasirSegDataset dataset = KvasirSegDataset.open(Path.of(cfg.dataset()));
        DatasetSplit split = DatasetSplit.of(dataset, cfg.validationFraction(), cfg.splitSeed(), Path.of(cfg.testList()));
        List<Sample> test = KvasirSegDataset.load(split.test(), cfg.model().inputSize());
        List<String> transfers = new ArrayList<>();
        cfg.objectives().forEach(o -> transfers.add(PretrainObjective.parse(o).id()));
        for (long seed : cfg.seeds()) {
            for (String objective : transfers) {
                pretrain(objective, seed);
                check(cancelled);
            }
            for (double fraction : cfg.fractions()) {
                finetune(SCRATCH, fraction, seed, test);
                check(cancelled);
                for (String objective : transfers) {
                    finetune(objective, fraction, seed, test);
                    check(cancelled);
                }
            }
            if (cfg.encoderOnlyArm() && !transfers.isEmpty()) {
                String best = bestObjective(transfers);
                for (double fraction : cfg.fractions()) {
                    finetune(ENCODER_PREFIX + best, fraction, seed, test);
                    check(cancelled);
                }
            }
        }
        probe();
        aggregate();
        log.accept("study complete: " + cfg.reportDir());
    }

    private void check(BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            throw new io.endostream.trainer.run.RunCancelledException("study cancelled; run it again to resume");
        }
    }

    public void aggregate() {
        new StudyAggregator(cfg, work, Path.of(cfg.reportDir())).write();
    }

    /** Frames the encoder probe fits on and is scored on: the first of the unlabelled sources. */
    static final int PROBE_FIT = 300;
    static final int PROBE_HELD_OUT = 100;

    /**
     * Runs the {@link io.endostream.trainer.pretrain.EncoderProbe} on every finished pretraining that has none yet
     * ({@code probe.json}); forward passes only, so it is cheap.
     */
    public void probe() {
        List<Sample> frames = null;
        for (long seed : cfg.seeds()) {
            for (String o : cfg.objectives()) {
                Path dir = pretrainDir(PretrainObjective.parse(o).id(), seed);
                if (!Files.isRegularFile(dir.resolve("done.json")) || Files.isRegularFile(dir.resolve("probe.json"))) {
                    continue;
                }
                if (frames == null) {
                    frames = new io.endostream.trainer.dataset.UnlabelledSources(
                            cfg.unlabelled().stream().map(Path::of).toList(), 5, PROBE_FIT + PROBE_HELD_OUT)
                            .load(cfg.model().inputSize(), java.util.Set.of()).samples();
                }
                ModelCheckpoints.Checkpoint cp = ModelCheckpoints.load(dir.resolve("checkpoints/last.zip"));
                int fit = frames.size() * PROBE_FIT / (PROBE_FIT + PROBE_HELD_OUT);
                io.endostream.trainer.pretrain.EncoderProbe p = io.endostream.trainer.pretrain.EncoderProbe.measure(
                        cp.graph(), cfg.model(), frames.subList(0, fit), frames.subList(fit, frames.size()), 100);
                RunFolder.writeJson(dir.resolve("probe.json"), p.toMap());
                log.accept(String.format(Locale.ROOT, "probe %s seed %d: %.5f vs random %.5f (ratio %.3f)", o, seed,
                        p.probeMse(), p.randomEncoderProbeMse(), p.ratio()));
            }
        }
    }

    private void pretrain(String objective, long seed) {
        Path dir = pretrainDir(objective, seed);
        if (Files.isRegularFile(dir.resolve("done.json"))) {
            return;
        }
        log.accept("pretrain " + objective + " seed " + seed + " (" + cfg.pretrainIterations() + " iterations)");
        long t0 = System.nanoTime();
        PretrainConfig pc = new PretrainConfig(dir.toString(),
                cfg.model().withSeed(seed).withLearningRate(cfg.pretrainLr()), PretrainObjective.parse(objective),
                cfg.unlabelled(), 5, cfg.maxFrames(), cfg.dataset(), cfg.validationFraction(), cfg.splitSeed(),
                cfg.testList(), 1, cfg.batchSize(), 0, false, null, true, 64, cfg.augment(), seed,
                cfg.pretrainIterations());
        Pretrainer.Result r = Pretrainer.run(pc, ProgressListener.NONE, () -> false);
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("objective", objective);
        done.put("seed", seed);
        done.put("iterations", r.metrics().get("iterations"));
        done.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
        done.put("skip_diagnostic", r.diagnostic().toMap());
        done.put("data", r.metrics().get("data"));
        RunFolder.writeJson(dir.resolve("done.json"), done);
        copyPicture(dir, "pretrain-" + objective + ".png", seed);
        log.accept(String.format(Locale.ROOT, "  done in %.0f s: objective MSE %.4f with skips, %.4f without",
                (System.nanoTime() - t0) / 1e9, r.diagnostic().objectiveWithSkips(), r.diagnostic().objectiveWithoutSkips()));
    }

    private void copyPicture(Path runDir, String name, long seed) {
        if (seed != cfg.seeds().get(0)) {
            return;
        }
        try (var s = Files.list(runDir.resolve("pictures"))) {
            Path last = s.filter(p -> p.getFileName().toString().startsWith("epoch-")).sorted().reduce((a, b) -> b)
                    .orElse(null);
            if (last != null) {
                Path out = Path.of(cfg.reportDir()).resolve("samples");
                Files.createDirectories(out);
                Files.copy(last, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The objective whose full-transfer arm has the best mean validation Dice (never the test set), fixed once chosen. */
    String bestObjective(List<String> objectives) {
        Path file = work.resolve("best-objective.json");
        try {
            if (Files.isRegularFile(file)) {
                return RunFolder.JSON.readTree(file.toFile()).path("objective").asText();
            }
            long seed = cfg.seeds().get(0);
            String best = null;
            double bestDice = -1;
            Map<String, Double> means = new LinkedHashMap<>();
            for (String o : objectives) {
                double sum = 0;
                for (double f : cfg.fractions()) {
                    sum += RunFolder.JSON.readTree(finetuneDir(o, f, seed).resolve("result.json").toFile())
                            .path("val_best_dice").asDouble();
                }
                double mean = sum / cfg.fractions().size();
                means.put(o, mean);
                if (mean > bestDice) {
                    bestDice = mean;
                    best = o;
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("objective", best);
            m.put("chosen_by", "mean best validation Dice over the fractions of seed " + seed + " (full transfer)");
            m.put("mean_val_dice", means);
            RunFolder.writeJson(file, m);
            log.accept("best objective for encoder-only transfer: " + best + " " + means);
            return best;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void finetune(String arm, double fraction, long seed, List<Sample> test) {
        Path dir = finetuneDir(arm, fraction, seed);
        if (Files.isRegularFile(dir.resolve("result.json"))) {
            return;
        }
        log.accept("finetune " + arm + " fraction " + fraction + " seed " + seed);
        long t0 = System.nanoTime();
        String pretrained = null;
        String transfer = "full";
        if (arm.startsWith(ENCODER_PREFIX)) {
            pretrained = pretrainDir(arm.substring(ENCODER_PREFIX.length()), seed).resolve("checkpoints/last.zip").toString();
            transfer = "encoder";
        } else if (!SCRATCH.equals(arm)) {
            pretrained = pretrainDir(arm, seed).resolve("checkpoints/last.zip").toString();
        }
        FinetuneConfig fc = new FinetuneConfig(dir.toString(), cfg.model().withSeed(seed), cfg.dataset(),
                cfg.validationFraction(), cfg.splitSeed(), cfg.testList(), pretrained, 0, 1, cfg.batchSize(), 0, 0,
                "cosine", cfg.augment(), true, 0.5, seed, fraction, 0, seed, cfg.finetuneIterations(), cfg.evalEvery(),
                transfer);
        Finetuner.Result r = Finetuner.run(fc, ProgressListener.NONE, () -> false);
        ModelCheckpoints.Checkpoint best = ModelCheckpoints.load(r.bestCheckpoint());
        SegmentationEvaluator.Evaluation ev = SegmentationEvaluator.evaluate(best.graph(), test, cfg.batchSize(), 0.5, null);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("arm", arm);
        result.put("fraction", fraction);
        result.put("seed", seed);
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) r.metrics().get("data");
        result.put("train_images", data.get("train_images"));
        result.put("iterations", r.metrics().get("iterations"));
        result.put("val_best_dice", r.bestValidationDice());
        result.put("best_round", r.bestEpoch());
        result.put("test_images", ev.perImage().size());
        result.put("test_dice", ev.meanDice());
        result.put("test_iou", ev.meanIou());
        result.put("test_precision", ev.meanPrecision());
        result.put("test_recall", ev.meanRecall());
        result.put("train_seconds", r.metrics().get("train_seconds"));
        result.put("wall_seconds", (System.nanoTime() - t0) / 1e9);
        result.put("start", data.get("start"));
        RunFolder.writeJson(dir.resolve("result.json"), result);
        if (seed == cfg.seeds().get(0) && fraction == cfg.fractions().stream().mapToDouble(Double::doubleValue).min().orElse(fraction)) {
            writeGrid(best, test, arm, fraction);
        }
        log.accept(String.format(Locale.ROOT, "  done in %.0f s: validation Dice %.4f, test Dice %.4f IoU %.4f",
                (System.nanoTime() - t0) / 1e9, r.bestValidationDice(), ev.meanDice(), ev.meanIou()));
        aggregate();
    }

    private void writeGrid(ModelCheckpoints.Checkpoint cp, List<Sample> test, String arm, double fraction) {
        int n = Math.min(8, test.size());
        List<float[]> maps = SegmentationEvaluator.predict(cp.graph(), test, n);
        List<byte[]> input = new ArrayList<>();
        List<byte[]> target = new ArrayList<>();
        List<byte[]> prediction = new ArrayList<>();
        for (int i = 0; i < maps.size(); i++) {
            input.add(test.get(i).bgr());
            target.add(SampleGrid.maskTile(test.get(i).mask()));
            prediction.add(SampleGrid.probabilityTile(maps.get(i)));
        }
        Path out = Path.of(cfg.reportDir()).resolve("samples")
                .resolve("test-" + arm.replace(':', '-') + "-f" + pct(fraction) + ".png");
        SampleGrid.write(out, cfg.model().inputSize(), List.of(new SampleGrid.Row("input", input),
                new SampleGrid.Row("target", target), new SampleGrid.Row("prediction", prediction)));
    }
}
