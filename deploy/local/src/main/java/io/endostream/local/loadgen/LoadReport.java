package io.endostream.local.loadgen;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.endostream.contracts.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * A run's results: every phase, and per target the median of each percentile over the repeats. Written as JSON (all
 * figures), a Markdown table and a PNG bar chart.
 */
public record LoadReport(String command, String frames, double meanFrameBytes, LoadSettings settings,
                         List<PhaseResult> phases, Map<String, Summary> summary) {

    /** Medians over a target's repeats (and the spread of p99 across them). */
    public record Summary(int repeats, long sent, long delivered, long deadLetters, long unanswered, long duplicates,
                          double deliveredFps, double p50Ms, double p99Ms, double p999Ms, double p99MinMs,
                          double p99MaxMs) {
    }

    static LoadReport of(String command, FrameSet frames, LoadSettings settings, List<PhaseResult> phases) {
        Map<String, Summary> summary = new LinkedHashMap<>();
        for (String target : phases.stream().map(PhaseResult::target).distinct().toList()) {
            List<PhaseResult> of = phases.stream().filter(p -> p.target().equals(target)).toList();
            summary.put(target, new Summary(of.size(),
                    of.stream().mapToLong(PhaseResult::sent).sum(),
                    of.stream().mapToLong(PhaseResult::delivered).sum(),
                    of.stream().mapToLong(PhaseResult::deadLetters).sum(),
                    of.stream().mapToLong(PhaseResult::unanswered).sum(),
                    of.stream().mapToLong(PhaseResult::duplicates).sum(),
                    median(of.stream().mapToDouble(PhaseResult::deliveredFps).toArray()),
                    median(of.stream().mapToDouble(PhaseResult::p50Ms).toArray()),
                    median(of.stream().mapToDouble(PhaseResult::p99Ms).toArray()),
                    median(of.stream().mapToDouble(PhaseResult::p999Ms).toArray()),
                    of.stream().mapToDouble(PhaseResult::p99Ms).min().orElse(Double.NaN),
                    of.stream().mapToDouble(PhaseResult::p99Ms).max().orElse(Double.NaN)));
        }
        return new LoadReport(command, frames.description(), frames.meanBytes(), settings, phases, summary);
    }

    /** Writes {@code report.json}, {@code report.md} and {@code latency.png} into {@code dir}. */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Json.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(dir.resolve("report.json").toFile(), this);
            Files.writeString(dir.resolve("report.md"), markdown());
            BitmapEncoder.saveBitmap(chart(), dir.resolve("latency.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the report to " + dir + ": " + e.getMessage(), e);
        }
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "%d stream(s) x %s fps, %s s per phase (%s s warm-up), %d repeat(s); %s, "
                + "mean %.0f KB%n%n", settings.streams(), num(settings.fps()), num(settings.seconds()),
                num(settings.warmupSeconds()), settings.repeats(), frames, meanFrameBytes / 1000));
        md.append("| target | streams x fps | frames | masks | dead letters | unanswered | skips (service) "
                + "| duplicates | delivered fps/stream | p50 ms | p99 ms | p99.9 ms |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (var entry : summary.entrySet()) {
            Summary s = entry.getValue();
            List<PhaseResult> of = phases.stream().filter(p -> p.target().equals(entry.getKey())).toList();
            Long skips = of.stream().allMatch(p -> p.serviceSkips() != null)
                    ? of.stream().mapToLong(PhaseResult::serviceSkips).sum() : null;
            md.append(String.format(Locale.ROOT, "| %s (median of %d) | %d x %s | %d | %d | %d | %d | %s | %d | %.1f "
                    + "| %.1f | %.1f (%.1f-%.1f) | %.1f |%n", entry.getKey(), s.repeats(), settings.streams(),
                    num(settings.fps()), s.sent(), s.delivered(), s.deadLetters(), s.unanswered(),
                    skips == null ? "n/a" : skips.toString(), s.duplicates(), s.deliveredFps(), s.p50Ms(), s.p99Ms(),
                    s.p99MinMs(), s.p99MaxMs(), s.p999Ms()));
        }
        md.append("\nEvery phase:\n\n| target | repeat | frames | masks | dead letters | unanswered | duplicates "
                + "| delivered fps/stream | p50 ms | p99 ms | p99.9 ms | max ms |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (PhaseResult p : phases) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f "
                    + "| %.1f |%n", p.target(), p.repeat(), p.sent(), p.delivered(), p.deadLetters(), p.unanswered(),
                    p.duplicates(), p.deliveredFps(), p.p50Ms(), p.p99Ms(), p.p999Ms(), p.maxMs()));
        }
        return md.toString();
    }

    private CategoryChart chart() {
        CategoryChart chart = new CategoryChartBuilder().width(800).height(480)
                .title(String.format(Locale.ROOT, "End-to-end latency, %d stream(s) x %s fps (median of %d)",
                        settings.streams(), num(settings.fps()), settings.repeats()))
                .xAxisTitle("percentile").yAxisTitle("ms (frame sent -> answer received)").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        List<String> percentiles = List.of("p50", "p99", "p99.9");
        for (var entry : summary.entrySet()) {
            Summary s = entry.getValue();
            List<Double> values = new ArrayList<>(List.of(zeroIfNaN(s.p50Ms()), zeroIfNaN(s.p99Ms()),
                    zeroIfNaN(s.p999Ms())));
            chart.addSeries(entry.getKey(), percentiles, values);
        }
        return chart;
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    static double median(double[] values) {
        double[] sorted = java.util.Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
