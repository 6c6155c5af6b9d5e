package io.stagewise.ceg.report;

import io.stagewise.ceg.Axis;
import io.stagewise.ceg.Checkpoint;
import io.stagewise.ceg.ScalingResults;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Smoothed seed-mean eval loss against cumulative training FLOPs at one size, log–log, baseline in black. */
final class LossFlopsChart {
  static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
      new Color(0xbcbd22)};

  private LossFlopsChart() {}

  static JFreeChart create(String size, List<ScalingResults.Curve> curves, String baseline) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (ScalingResults.Curve c : curves) {
      XYSeries series = new XYSeries(c.innovation() + " (" + c.seeds() + " seeds)", false, true);
      for (Checkpoint p : c.smoothed().points()) {
        series.add(p.at(Axis.FLOPS), p.loss());
      }
      data.addSeries(series);
    }
    LogAxis x = new LogAxis("cumulative training FLOPs");
    x.setSmallestValue(1);
    LogAxis y = new LogAxis("eval loss (smoothed, mean over seeds)");
    y.setSmallestValue(1e-3);
    y.setNumberFormatOverride(new java.text.DecimalFormat("0.00")); // losses, not powers of ten
    y.setTickUnit(new org.jfree.chart.axis.NumberTickUnit(0.02));
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    int colour = 0;
    for (int i = 0; i < curves.size(); i++) {
      boolean isBaseline = curves.get(i).innovation().equals(baseline);
      renderer.setSeriesPaint(i, isBaseline ? Color.BLACK : PALETTE[colour++ % PALETTE.length]);
      renderer.setSeriesStroke(i, new BasicStroke(isBaseline ? 3f : 1.6f));
    }
    XYPlot plot = new XYPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    JFreeChart chart = new JFreeChart("Eval loss against compute — " + size, JFreeChart.DEFAULT_TITLE_FONT, plot,
        true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }
}
