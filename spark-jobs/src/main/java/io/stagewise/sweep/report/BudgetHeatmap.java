package io.stagewise.sweep.report;

import java.awt.Color;
import java.awt.Font;
import java.util.List;
import java.util.TreeSet;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;

/**
 * Mean ASR over (SFT budget, preference budget): one block per budget pair of the grid, its value written in
 * it. The axes are the distinct budgets in order, evenly spaced, so small budgets stay readable.
 */
final class BudgetHeatmap {
  private BudgetHeatmap() {}

  static JFreeChart create(String title, List<GridCell> cells, String unit) {
    TreeSet<Double> sft = new TreeSet<>();
    TreeSet<Double> preference = new TreeSet<>();
    cells.forEach(c -> {
      sft.add(c.sftBudget());
      preference.add(c.preferenceBudget());
    });
    List<Double> xs = List.copyOf(sft);
    List<Double> ys = List.copyOf(preference);
    double[][] series = new double[3][cells.size()];
    XYPlot plot = new XYPlot();
    for (int i = 0; i < cells.size(); i++) {
      GridCell c = cells.get(i);
      series[0][i] = xs.indexOf(c.sftBudget());
      series[1][i] = ys.indexOf(c.preferenceBudget());
      series[2][i] = c.asr().n() == 0 ? Double.NaN : 100 * c.asr().mean();
      XYTextAnnotation label = new XYTextAnnotation(c.asr().n() == 0 ? "n/a"
          : String.format("%.0f%%", 100 * c.asr().mean()), series[0][i], series[1][i]);
      label.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
      label.setPaint(c.asr().mean() > 0.6 ? Color.WHITE : Color.BLACK);
      plot.addAnnotation(label);
    }
    DefaultXYZDataset data = new DefaultXYZDataset();
    data.addSeries("mean ASR with trigger (%)", series);

    LookupPaintScale scale = new LookupPaintScale(0, 100.0001, Color.LIGHT_GRAY);
    for (int v = 0; v <= 100; v++) {
      float t = v / 100f; // white to dark red
      scale.add(v, new Color(1f - 0.45f * t, 1f - 0.95f * t, 1f - 0.95f * t));
    }
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(scale);
    plot.setDataset(data);
    plot.setRenderer(renderer);
    plot.setDomainAxis(new SymbolAxis("SFT attacker budget (" + unit + ")", labels(xs)));
    plot.setRangeAxis(new SymbolAxis("preference attacker budget (" + unit + ")", labels(ys)));
    plot.getDomainAxis().setRange(-0.5, xs.size() - 0.5);
    plot.getRangeAxis().setRange(-0.5, ys.size() - 0.5);
    ((SymbolAxis) plot.getDomainAxis()).setGridBandsVisible(false);
    ((SymbolAxis) plot.getRangeAxis()).setGridBandsVisible(false);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    plot.setBackgroundPaint(new Color(0xf0f0f0)); // grid pairs not in the sweep
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
    NumberAxis legendAxis = new NumberAxis("ASR with trigger (%)");
    legendAxis.setRange(0, 100);
    PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setMargin(4, 4, 40, 4);
    legend.setAxisOffset(5);
    chart.addSubtitle(legend);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  private static String[] labels(List<Double> values) {
    return values.stream().map(SplitVerdict::number).toArray(String[]::new);
  }
}
