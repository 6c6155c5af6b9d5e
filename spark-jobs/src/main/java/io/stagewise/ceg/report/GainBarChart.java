package io.stagewise.ceg.report;

import io.stagewise.ceg.Gain;
import io.stagewise.ceg.ScalingResults;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.CategoryItemRendererState;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * One gain (FLOPs CEG, wall-clock, steps) per innovation and size: a bar at the point estimate with its bootstrap
 * interval as a whisker, and a line at 1 (the baseline). Gains without a number (unreachable, unavailable) get no
 * bar; the table says why.
 */
final class GainBarChart {
  private GainBarChart() {}

  static JFreeChart create(String title, String yLabel, ScalingResults results,
      Function<ScalingResults.SizeGains, Gain> gain) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    Map<List<String>, Gain> intervals = new HashMap<>();
    double top = 1;
    for (ScalingResults.Innovation innovation : results.innovations()) {
      for (ScalingResults.SizeGains g : innovation.sizes()) {
        Gain value = gain.apply(g);
        if (Double.isFinite(value.value())) {
          data.addValue(value.value(), g.size(), innovation.name());
          intervals.put(List.of(g.size(), innovation.name()), value);
          top = Math.max(top, Double.isFinite(value.high()) ? Math.max(value.value(), value.high()) : value.value());
        }
      }
    }
    CategoryAxis x = new CategoryAxis("innovation");
    x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
    NumberAxis y = new NumberAxis(yLabel);
    y.setRange(0, top * 1.1); // room for the whiskers, which auto-range would not count
    WhiskerBars renderer = new WhiskerBars(intervals);
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    for (int i = 0; i < results.sizes().size(); i++) {
      renderer.setSeriesPaint(i, LossFlopsChart.PALETTE[i % LossFlopsChart.PALETTE.length]);
    }
    CategoryPlot plot = new CategoryPlot(data, x, y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ValueMarker one = new ValueMarker(1.0, Color.BLACK, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
    plot.addRangeMarker(one);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return chart;
  }

  /** Bars with a whisker from each item's interval low to high (clipped to the plot when infinite). */
  private static final class WhiskerBars extends BarRenderer {
    private final Map<List<String>, Gain> intervals;

    WhiskerBars(Map<List<String>, Gain> intervals) {
      this.intervals = intervals;
    }

    @Override
    public void drawItem(Graphics2D g2, CategoryItemRendererState state, Rectangle2D dataArea, CategoryPlot plot,
        CategoryAxis domainAxis, ValueAxis rangeAxis, CategoryDataset dataset, int row, int column, int pass) {
      super.drawItem(g2, state, dataArea, plot, domainAxis, rangeAxis, dataset, row, column, pass);
      Gain gain = intervals.get(List.of(dataset.getRowKey(row).toString(), dataset.getColumnKey(column).toString()));
      if (gain == null || !gain.hasInterval()) {
        return;
      }
      double middle = domainAxis.getCategorySeriesMiddle(column, dataset.getColumnCount(), row,
          dataset.getRowCount(), getItemMargin(), dataArea, plot.getDomainAxisEdge());
      double top = Math.min(gain.high(), rangeAxis.getUpperBound());
      double low = rangeAxis.valueToJava2D(gain.low(), dataArea, plot.getRangeAxisEdge());
      double high = rangeAxis.valueToJava2D(top, dataArea, plot.getRangeAxisEdge());
      double cap = Math.max(2, state.getBarWidth() / 4);
      g2.setPaint(Color.BLACK);
      g2.setStroke(new BasicStroke(1.5f));
      g2.draw(new Line2D.Double(middle, low, middle, high));
      g2.draw(new Line2D.Double(middle - cap, low, middle + cap, low));
      g2.draw(new Line2D.Double(middle - cap, high, middle + cap, high));
    }
  }
}
