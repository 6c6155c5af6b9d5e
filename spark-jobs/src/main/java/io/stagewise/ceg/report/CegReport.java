package io.stagewise.ceg.report;

import io.stagewise.ceg.PowerLawFit;
import io.stagewise.ceg.ScalingResults;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/**
 * The CEG section of a scaling sweep's report: writes its PNGs (eval loss against FLOPs per size on log axes;
 * FLOPs CEG, wall-clock and step gains per innovation and size with their intervals) into the report directory
 * and returns the section as an HTML fragment and as Markdown, for the sweep report to place.
 */
public final class CegReport {
  private static final int WIDTH = 760;
  private static final int HEIGHT = 480;

  /**
   * The section, ready to embed.
   *
   * @param heading the section's title
   * @param html an HTML fragment (headings, paragraphs, images by file name, the class table); no page wrapper
   * @param markdown the same content for summary.md
   * @param images the PNG file names written into the report directory
   */
  public record Section(String heading, String html, String markdown, List<String> images) {}

  private CegReport() {}

  /** Writes the section's PNGs into {@code dir} (any Hadoop file system) and returns the section. */
  public static Section write(ScalingResults results, String dir, Configuration conf) {
    Path out = new Path(dir);
    List<String> images = new ArrayList<>();
    for (int i = 0; i < results.sizes().size(); i++) {
      String size = results.sizes().get(i);
      images.add(png(out, "ceg-loss-vs-flops-" + i + ".png",
          LossFlopsChart.create(size, results.curvesOf(size), results.baseline()), conf));
    }
    images.add(png(out, "ceg-flops.png", GainBarChart.create("Compute-equivalent gain (FLOPs)",
        "CEG = baseline FLOPs ÷ innovation FLOPs to the same loss", results, ScalingResults.SizeGains::flops), conf));
    images.add(png(out, "ceg-wall-clock.png", GainBarChart.create("Wall-clock equivalent gain",
        "baseline seconds ÷ innovation seconds", results, ScalingResults.SizeGains::seconds), conf));
    images.add(png(out, "ceg-steps-reference.png", GainBarChart.create("Step gain (the reference's definition)",
        "baseline steps ÷ innovation steps", results, ScalingResults.SizeGains::steps), conf));
    String heading = "Compute-equivalent gain";
    String method = method(results);
    String summary = summary(results);
    StringBuilder html = new StringBuilder("<h2>").append(CegTable.escape(heading)).append("</h2>\n")
        .append("<p class=\"verdict\">").append(CegTable.escape(summary)).append("</p>\n<div class=\"plots\">\n");
    images.forEach(img -> html.append("<img src=\"").append(CegTable.escape(img)).append("\" alt=\"")
        .append(CegTable.escape(img)).append("\">\n"));
    html.append("</div>\n").append(CegTable.html(results)).append("<p>").append(CegTable.escape(method))
        .append("</p>\n");
    String markdown = "## " + heading + "\n\n" + summary + "\n\n" + CegTable.markdown(results) + "\n" + method + "\n";
    return new Section(heading, html.toString(), markdown, images);
  }

  /** One sentence per class: which innovations fell in it. */
  static String summary(ScalingResults results) {
    StringBuilder text = new StringBuilder();
    for (io.stagewise.ceg.InnovationClass kind : io.stagewise.ceg.InnovationClass.values()) {
      List<String> names = results.innovations().stream().filter(i -> i.verdict().kind() == kind)
          .map(ScalingResults.Innovation::name).toList();
      if (!names.isEmpty()) {
        text.append(capitalised(kind.words())).append(": ").append(String.join(", ", names)).append(". ");
      }
    }
    return text.append("Sizes, smallest first: ").append(String.join(", ", results.sizes())).append('.').toString();
  }

  private static String method(ScalingResults results) {
    int percent = (int) Math.round(100 * results.options().confidence());
    return "CEG = C_base(L) / C: L is the innovation's best smoothed eval loss (seed mean), C the training FLOPs at"
        + " which it first got there, C_base(L) where the baseline's frontier over all sizes (Pareto front of their"
        + " smoothed checkpoints, log-log interpolated) first reaches L. Beyond the observed range the fit "
        + fit(results.flopsFit()) + " extrapolates (flagged); a loss at or below its asymptote is unreachable."
        + " Smoothing: " + results.options().smoothing() + "; step gain: the reference's definition ("
        + results.options().referenceSmoothing() + ", first checkpoint at or below the baseline's final smoothed"
        + " loss). Intervals: " + percent + " % percentile bootstrap over seeds (" + results.options().resamples()
        + " resamples, seed " + results.options().bootstrapSeed() + "). Compute-independent: interval above 1 at"
        + " every size; compute-dependent: at or below 1 at the smallest size and rising with size beyond the"
        + " intervals; otherwise undetermined.";
  }

  private static String fit(PowerLawFit fit) {
    return fit == null ? "(none: too few frontier points)" : fit.toString();
  }

  private static String capitalised(String words) {
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }

  private static String png(Path dir, String name, JFreeChart chart, Configuration conf) {
    Path file = new Path(dir, name);
    try (OutputStream os = create(file, conf)) {
      ChartUtils.writeChartAsPNG(os, chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
    return name;
  }

  private static OutputStream create(Path file, Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    // No .crc side files in a report directory meant to be opened in a browser (as SweepReport does).
    return (fs instanceof LocalFileSystem local ? local.getRaw() : fs).create(file, true);
  }
}
