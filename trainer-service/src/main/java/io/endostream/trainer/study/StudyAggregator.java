package io.endostream.trainer.study;

import com.fasterxml.jackson.databind.JsonNode;
import io.endostream.trainer.run.RunFolder;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads every finished run of a study ({@code result.json}, {@code done.json}, optional {@code probe.json}) and writes
 * {@code runs.csv} (one row per fine-tuning run), {@code summary.csv} and {@code summary.md} (per arm and fraction:
 * mean +/- sd and 95% t interval of test Dice and IoU, paired differences against scratch at the same fraction and
 * seed; pretraining diagnostics per objective) and {@code dice-vs-fraction.png} (XChart, 95% intervals as error bars).
 */
public final class StudyAggregator {
    private final StudyConfig cfg;
    private final Path work;
    private final Path report;

    public StudyAggregator(StudyConfig cfg, Path work, Path report) {
        this.cfg = cfg;
        this.work = work;
        this.report = report;
    }

    /** One fine-tuning run's outcome. */
    public record Run(String arm, double fraction, long seed, int trainImages, long iterations, double valDice,
                      double testDice, double testIou, double trainSeconds) {
    }

    /** One arm at one fraction. */
    public record Cell(String arm, double fraction, int trainImages, Stats dice, Stats iou, Stats diffDice,
                       Stats diffIou, int wins) {
    }

    public List<Run> runs() {
        List<Run> out = new ArrayList<>();
        Path dir = work.resolve("finetune");
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                Path f = p.resolve("result.json");
                if (Files.isRegularFile(f)) {
                    JsonNode j = RunFolder.JSON.readTree(f.toFile());
                    out.add(new Run(j.path("arm").asText(), j.path("fraction").asDouble(), j.path("seed").asLong(),
                            j.path("train_images").asInt(), j.path("iterations").asLong(), j.path("val_best_dice").asDouble(),
                            j.path("test_dice").asDouble(), j.path("test_iou").asDouble(), j.path("train_seconds").asDouble()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(Run::arm, StudyAggregator::armOrder).thenComparingDouble(Run::fraction)
                .thenComparingLong(Run::seed));
        return out;
    }

    static int armOrder(String a, String b) {
        return Integer.compare(rank(a), rank(b)) != 0 ? Integer.compare(rank(a), rank(b)) : a.compareTo(b);
    }

    private static int rank(String arm) {
        return switch (arm) {
            case Study.SCRATCH -> 0;
            case "reconstruct" -> 1;
            case "inpaint" -> 2;
            case "denoise" -> 3;
            default -> 4;
        };
    }

    public List<Cell> cells(List<Run> runs) {
        Map<String, Map<Double, List<Run>>> by = new TreeMap<>(StudyAggregator::armOrder);
        for (Run r : runs) {
            by.computeIfAbsent(r.arm(), k -> new TreeMap<>()).computeIfAbsent(r.fraction(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Run> scratch = new LinkedHashMap<>();
        runs.stream().filter(r -> r.arm().equals(Study.SCRATCH)).forEach(r -> scratch.put(r.fraction() + "/" + r.seed(), r));
        List<Cell> out = new ArrayList<>();
        by.forEach((arm, fractions) -> fractions.forEach((fraction, rs) -> {
            List<Double> dDice = new ArrayList<>();
            List<Double> dIou = new ArrayList<>();
            int wins = 0;
            if (!arm.equals(Study.SCRATCH)) {
                for (Run r : rs) {
                    Run s = scratch.get(r.fraction() + "/" + r.seed());
                    if (s != null) {
                        dDice.add(r.testDice() - s.testDice());
                        dIou.add(r.testIou() - s.testIou());
                        if (r.testDice() > s.testDice()) {
                            wins++;
                        }
                    }
                }
            }
            out.add(new Cell(arm, fraction, rs.get(0).trainImages(), Stats.of(rs.stream().map(Run::testDice).toList()),
                    Stats.of(rs.stream().map(Run::testIou).toList()), Stats.of(dDice), Stats.of(dIou), wins));
        }));
        return out;
    }

    /** Pretraining diagnostics per objective, averaged over seeds: name -> column -> value. */
    public Map<String, Map<String, Stats>> diagnostics() {
        Map<String, Map<String, List<Double>>> acc = new TreeMap<>(StudyAggregator::armOrder);
        Path dir = work.resolve("pretrain");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.sorted().toList()) {
                    Path f = p.resolve("done.json");
                    if (!Files.isRegularFile(f)) {
                        continue;
                    }
                    JsonNode j = RunFolder.JSON.readTree(f.toFile());
                    Map<String, List<Double>> cols = acc.computeIfAbsent(j.path("objective").asText(), k -> new LinkedHashMap<>());
                    JsonNode d = j.path("skip_diagnostic");
                    for (String k : List.of("objective_mse_with_skips", "objective_mse_without_skips",
                            "baseline_copy_input_mse", "baseline_mean_image_mse", "clean_gap_ratio")) {
                        cols.computeIfAbsent(k, x -> new ArrayList<>()).add(d.path(k).asDouble(Double.NaN));
                    }
                    Path probe = p.resolve("probe.json");
                    if (Files.isRegularFile(probe)) {
                        JsonNode pj = RunFolder.JSON.readTree(probe.toFile());
                        for (String k : List.of("probe_mse", "random_encoder_probe_mse", "probe_ratio")) {
                            cols.computeIfAbsent(k, x -> new ArrayList<>()).add(pj.path(k).asDouble(Double.NaN));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, Map<String, Stats>> out = new LinkedHashMap<>();
        acc.forEach((o, cols) -> {
            Map<String, Stats> m = new LinkedHashMap<>();
            cols.forEach((k, v) -> m.put(k, Stats.of(v.stream().filter(x -> !x.isNaN()).toList())));
            out.put(o, m);
        });
        return out;
    }

    public void write() {
        try {
            Files.createDirectories(report);
            List<Run> runs = runs();
            List<Cell> cells = cells(runs);
            writeRunsCsv(runs);
            writeSummaryCsv(cells);
            Files.writeString(report.resolve("summary.md"), markdown(runs, cells, diagnostics()));
            if (!cells.isEmpty()) {
                plot(cells, report.resolve("dice-vs-fraction.png"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the study report to " + report + ": " + e.getMessage(), e);
        }
    }

    private void writeRunsCsv(List<Run> runs) throws IOException {
        StringBuilder sb = new StringBuilder("arm,label_fraction,seed,train_images,iterations,val_best_dice,test_dice,test_iou,train_seconds\n");
        for (Run r : runs) {
            sb.append(String.format(Locale.ROOT, "%s,%.4f,%d,%d,%d,%.5f,%.5f,%.5f,%.1f%n", r.arm(), r.fraction(), r.seed(),
                    r.trainImages(), r.iterations(), r.valDice(), r.testDice(), r.testIou(), r.trainSeconds()));
        }
        Files.writeString(report.resolve("runs.csv"), sb.toString());
    }

    private void writeSummaryCsv(List<Cell> cells) throws IOException {
        StringBuilder sb = new StringBuilder("arm,label_fraction,train_images,n,dice_mean,dice_sd,dice_ci95_low,dice_ci95_high,"
                + "iou_mean,iou_sd,iou_ci95_low,iou_ci95_high,diff_dice_vs_scratch_mean,diff_dice_ci95_low,diff_dice_ci95_high,"
                + "diff_iou_vs_scratch_mean,wins_vs_scratch,pairs\n");
        for (Cell c : cells) {
            sb.append(String.format(Locale.ROOT, "%s,%.4f,%d,%d,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f,%d,%d%n",
                    c.arm(), c.fraction(), c.trainImages(), c.dice().n(), c.dice().mean(), c.dice().sd(), c.dice().low(),
                    c.dice().high(), c.iou().mean(), c.iou().sd(), c.iou().low(), c.iou().high(), c.diffDice().mean(),
                    c.diffDice().low(), c.diffDice().high(), c.diffIou().mean(), c.wins(), c.diffDice().n()));
        }
        Files.writeString(report.resolve("summary.csv"), sb.toString().replace("NaN", ""));
    }

    static String f(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.3f", x);
    }

    static String signed(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%+.3f", x);
    }

    String markdown(List<Run> runs, List<Cell> cells, Map<String, Map<String, Stats>> diag) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Label-efficiency study\n\n");
        sb.append(String.format(Locale.ROOT, "Input %dx%d, width %.2f, decoder %d, batch %d; pretraining %d iterations "
                        + "(lr %s) per objective and seed; fine-tuning %d iterations (lr %s, cosine over iterations, "
                        + "validation every %d) for every arm and fraction; best checkpoint by validation Dice, scored on the "
                        + "fixed test list. Seeds %s; fractions %s. %d finished fine-tuning runs.%n%n",
                cfg.model().inputSize(), cfg.model().inputSize(), cfg.model().widthMultiplier(), cfg.model().decoderWidth(),
                cfg.batchSize(), cfg.pretrainIterations(), cfg.pretrainLr(), cfg.finetuneIterations(),
                cfg.model().learningRate(), cfg.evalEvery(), cfg.seeds(), cfg.fractions(), runs.size()));
        sb.append("Test Dice and IoU: mean +/- sd over seeds, [95% t interval]. Delta = paired difference against scratch at "
                + "the same fraction and seed (mean [95% interval], wins = seeds where the arm beat scratch).\n\n");
        sb.append("| arm | labels | n | test Dice | Dice 95% CI | test IoU | IoU 95% CI | Delta Dice vs scratch | Delta IoU | wins |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Cell c : cells) {
            sb.append(String.format(Locale.ROOT, "| %s | %.0f%% (%d) | %d | %s +/- %s | [%s, %s] | %s +/- %s | [%s, %s] | %s | %s | %s |%n",
                    c.arm(), c.fraction() * 100, c.trainImages(), c.dice().n(), f(c.dice().mean()), f(c.dice().sd()),
                    f(c.dice().low()), f(c.dice().high()), f(c.iou().mean()), f(c.iou().sd()), f(c.iou().low()),
                    f(c.iou().high()),
                    c.diffDice().n() == 0 ? "-" : signed(c.diffDice().mean()) + " [" + signed(c.diffDice().low()) + ", "
                            + signed(c.diffDice().high()) + "]",
                    signed(c.diffIou().mean()), c.diffDice().n() == 0 ? "-" : c.wins() + "/" + c.diffDice().n()));
        }
        if (!diag.isEmpty()) {
            sb.append("\n## Pretraining diagnostics (mean over seeds, held-out unlabelled frames)\n\n");
            sb.append("MSE where the objective's loss counts. Baselines: copy = return the corrupted input; mean = predict the "
                    + "mean image. Without skips = same weights, skips x0. Probe = linear (ridge) probe from the frozen encoder's "
                    + "bottleneck (no skips) to a 4x4 thumbnail of held-out frames, MSE, next to the mean over 3 random "
                    + "encoders; probe ratio < 1 means the encoder carries image content random ones do not.\n\n");
            sb.append("| objective | seeds | MSE with skips | without skips | copy-input baseline | mean-image baseline | clean gap ratio | probe MSE | random-encoder probe | probe ratio |\n");
            sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
            diag.forEach((o, m) -> sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    o, m.get("objective_mse_with_skips").n(), g(m, "objective_mse_with_skips"),
                    g(m, "objective_mse_without_skips"), g(m, "baseline_copy_input_mse"), g(m, "baseline_mean_image_mse"),
                    g(m, "clean_gap_ratio"), g(m, "probe_mse"), g(m, "random_encoder_probe_mse"), g(m, "probe_ratio"))));
        }
        sb.append("\n![Dice vs label fraction](dice-vs-fraction.png)\n");
        return sb.toString();
    }

    private static String g(Map<String, Stats> m, String k) {
        Stats s = m.get(k);
        if (s == null || s.n() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, Math.abs(s.mean()) < 0.1 ? "%.4f" : "%.3f", s.mean());
    }

    static void plot(List<Cell> cells, Path png) throws IOException {
        XYChart chart = new XYChartBuilder().width(760).height(480).title("Test Dice vs label fraction (mean, 95% CI)")
                .xAxisTitle("labelled training images (% of the split)").yAxisTitle("test Dice").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        Map<String, List<Cell>> byArm = new LinkedHashMap<>();
        cells.forEach(c -> byArm.computeIfAbsent(c.arm(), k -> new ArrayList<>()).add(c));
        int i = 0;
        for (Map.Entry<String, List<Cell>> e : byArm.entrySet()) {
            List<Cell> cs = e.getValue();
            double[] x = new double[cs.size()];
            double[] y = new double[cs.size()];
            double[] err = new double[cs.size()];
            for (int k = 0; k < cs.size(); k++) {
                // a small offset per arm keeps the error bars apart
                x[k] = cs.get(k).fraction() * 100 * (1 + 0.015 * (i - byArm.size() / 2.0));
                y[k] = cs.get(k).dice().mean();
                err[k] = cs.get(k).dice().halfWidth();
            }
            XYSeries s = chart.addSeries(e.getKey(), x, y, err);
            s.setMarker(SeriesMarkers.CIRCLE);
            i++;
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
