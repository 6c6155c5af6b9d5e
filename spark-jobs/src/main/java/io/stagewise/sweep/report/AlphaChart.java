package io.stagewise.sweep.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * A metric against the SFT share {@code alpha}, one line per total budget, each point the mean over seeds
 * with its 95 % bootstrap interval (seeds and prompts) as an error bar.
 */
final class AlphaChart {
  static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

  private AlphaChart() {}

  static JFreeChart create(String title, String yLabel, List<GridCell> cells, Function<GridCell, BootstrapInterval> metric,
      boolean percent) {
    TreeMap<Double, YIntervalSeries> byTotal = new TreeMap<>();
    for (GridCell cell : cells) {
      BootstrapInterval s = metric.apply(cell);
      if (s.n() == 0) {
        continue;
      }
      double scale = percent ? 100 : 1;
      byTotal.computeIfAbsent(cell.total(), t -> new YIntervalSeries("total " + SplitVerdict.number(t)))
          .add(cell.alpha(), s.mean() * scale, s.low() * scale, s.high() * scale);
    }
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    byTotal.values().forEach(data::addSeries);

    NumberAxis x = new NumberAxis("alpha (share of the budget given to the SFT attacker)");
    x.setRange(-0.05, 1.05);
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(true);
    if (percent) {
      y.setRange(0, 100);
    }
    XYErrorRenderer renderer = new XYErrorRenderer();
    renderer.setDrawXError(false);
    renderer.setDefaultLinesVisible(true);
    renderer.setDefaultShapesVisible(true);
    renderer.setCapLength(8);
    renderer.setErrorStroke(new BasicStroke(1.5f));
    for (int i = 0; i < data.getSeriesCount(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }
}
