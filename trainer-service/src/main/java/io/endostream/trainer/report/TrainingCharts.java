package io.endostream.trainer.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Per-epoch curves (loss on the left chart, Dice/IoU or reconstruction error on the right) as one PNG via XChart. */
public final class TrainingCharts {
    private TrainingCharts() {
    }

    /**
     * @param history one map per epoch (key "epoch" plus figures)
     * @param left    keys to plot on the left chart (e.g. train_loss)
     * @param right   keys to plot on the right chart (e.g. val_dice)
     */
    public static void write(Path png, String title, List<Map<String, Double>> history, List<String> left,
                             String leftAxis, List<String> right, String rightAxis) {
        System.setProperty("java.awt.headless", "true");
        XYChart a = chart(title + " - " + leftAxis, leftAxis, history, left);
        XYChart b = chart(title + " - " + rightAxis, rightAxis, history, right);
        try {
            BitmapEncoder.saveBitmap(List.of(a, b), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + png, e);
        }
    }

    private static XYChart chart(String title, String yTitle, List<Map<String, Double>> history, List<String> keys) {
        XYChart chart = new XYChartBuilder().width(560).height(380).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(6);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
        boolean any = false;
        for (String key : keys) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Map<String, Double> row : history) {
                Double y = row.get(key);
                if (y != null && Double.isFinite(y)) {
                    xs.add(row.get("epoch"));
                    ys.add(y);
                }
            }
            if (!xs.isEmpty()) {
                chart.addSeries(key, xs, ys).setMarker(SeriesMarkers.CIRCLE);
                any = true;
            }
        }
        if (!any) {
            chart.addSeries("(no data yet)", List.of(0.0), List.of(0.0));
        }
        return chart;
    }
}
