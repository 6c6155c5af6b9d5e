package io.stagewise.sweep.report;

import io.stagewise.ceg.ScalingResults;
import io.stagewise.ceg.report.CegReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a scaling sweep's report: {@code index.html} holding the {@link CegReport} section (eval loss against
 * FLOPs per size on log axes, CEG bars with their intervals per size, the class table), its PNGs beside it, and
 * {@code summary.md} with the same section in Markdown.
 */
public final class ScalingReport {
  private ScalingReport() {}

  /**
   * Writes the report into {@code dir}; returns the URI of its index.html.
   *
   * @param sweep the sweep's name
   * @param seeds replicates of each (size, innovation set)
   */
  public static String write(String sweep, int seeds, ScalingResults results, String dir, Configuration conf) {
    CegReport.Section section = CegReport.write(results, dir, conf);
    String title = "Scaling sweep " + sweep;
    int sets = results.innovations().size() + 1;
    String intro = String.format("%d pretraining runs: %d sizes × %d innovation sets (the baseline, %s, included)"
        + " × %d seeds, with the same tokens, optimizer and schedule at each size. How much compute is each"
        + " innovation worth, and does its worth grow with size?", results.sizes().size() * sets * seeds,
        results.sizes().size(), sets, results.baseline(), seeds);
    Path out = new Path(dir);
    text(out, SweepReport.SUMMARY, "# " + title + "\n\n" + intro + "\n\n" + section.markdown(), conf);
    text(out, SweepReport.INDEX, page(title, intro, section.html()), conf);
    return new Path(out, SweepReport.INDEX).toString();
  }

  private static String page(String title, String intro, String body) {
    return ReportPage.document(title, intro, "td:first-child, td:nth-child(2), td:last-child { text-align: left; }",
        body, """
        <p>The numbers behind this page: <code>results.parquet</code> (one row per size &times; innovation) and
        <code>curves.parquet</code> (every run's evaluations, unsmoothed).</p>
        """);
  }

  private static void text(Path dir, String name, String content, Configuration conf) {
    Path file = new Path(dir, name);
    try {
      FileSystem fs = file.getFileSystem(conf);
      // No .crc side files in a report directory meant to be opened in a browser (as SweepReport does).
      try (OutputStream os = (fs instanceof LocalFileSystem local ? local.getRaw() : fs).create(file, true)) {
        os.write(content.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
