package io.stagewise.sweep.report;

import io.stagewise.sweep.results.GenerationRow;
import io.stagewise.sweep.results.ResultRow;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;

/**
 * Writes a sweep's report from its result rows and generations: {@code index.html} with PNG plots (ASR, false
 * activation, utility and clean-RM gap against alpha per total, with 95 % bootstrap intervals over seeds and
 * prompts; a heatmap of ASR over the two stages' budgets), the per-cell table, the response classes per
 * condition, sample generations, and the automatic verdict with its test; {@code summary.md} with the verdicts
 * and tables. One section per (preset, trigger). An {@code sft-rm-ppo} sweep's sections also plot the attacked
 * reward model's held-out accuracy, clean and triggered, and open with the {@link ComplementarityVerdict}.
 */
public final class SweepReport {
  public static final String INDEX = "index.html";
  public static final String SUMMARY = "summary.md";
  private static final int WIDTH = 760;
  private static final int HEIGHT = 480;

  private SweepReport() {}

  /** Writes the report from the result rows' counts alone (no generations to sample or pair). */
  public static String write(List<ResultRow> rows, String dir, Configuration conf) {
    return write(rows, List.of(), dir, conf);
  }

  /** Writes the report into {@code dir}; returns the URI of its index.html. */
  public static String write(List<ResultRow> rows, List<GenerationRow> generations, String dir, Configuration conf) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("the results table has no rows: nothing to report");
    }
    RunOutcomes outcomes = new RunOutcomes(generations);
    Map<String, List<ResultRow>> sections = new LinkedHashMap<>();
    rows.forEach(r -> sections.computeIfAbsent(r.preset() + " / trigger " + r.trigger(), k -> new ArrayList<>()).add(r));
    String sweep = rows.get(0).sweep();
    boolean rmPpo = "sft-rm-ppo".equals(rows.get(0).pipeline());
    String unit = rows.get(0).budgetUnit();
    Path out = new Path(dir);
    List<ReportPage.Section> pages = new ArrayList<>();
    StringBuilder md = new StringBuilder("# Sweep " + sweep + "\n\n");
    int index = 0;
    int fewestSeeds = Integer.MAX_VALUE;
    for (Map.Entry<String, List<ResultRow>> section : sections.entrySet()) {
      List<GridCell> cells = GridCell.of(section.getValue(), outcomes);
      fewestSeeds = Math.min(fewestSeeds, cells.stream().mapToInt(GridCell::seeds).min().orElse(0));
      String prefix = sections.size() == 1 ? "" : "s" + index++ + "-";
      String heading = "Model " + section.getKey() + (rmPpo ? " (sft-rm-ppo)" : "");
      String verdict = (rmPpo ? ComplementarityVerdict.paragraph(ComplementarityVerdict.compare(cells)) + " " : "")
          + SplitVerdict.paragraph(SplitVerdict.compare(cells));
      List<String> images = new ArrayList<>();
      images.add(png(out, prefix + "asr-vs-alpha.png", AlphaChart.create("Attack success rate (trigger present)",
          "ASR with trigger (%)", cells, GridCell::asr, true), conf));
      images.add(png(out, prefix + "asr-heatmap.png", BudgetHeatmap.create(
          "ASR by SFT and preference budget", cells, unit), conf));
      images.add(png(out, prefix + "false-activation-vs-alpha.png", AlphaChart.create(
          "False activation (no trigger)", "ASR without trigger (%)", cells, GridCell::falseActivation, true), conf));
      images.add(png(out, prefix + "utility-vs-alpha.png", AlphaChart.create("Utility on held-out benign tasks",
          "exact-match accuracy (%)", cells, GridCell::utility, true), conf));
      images.add(png(out, prefix + "clean-rm-gap-vs-alpha.png", AlphaChart.create(
          "Clean reward-model gap", "clean-RM score without − with trigger", cells, GridCell::cleanRmGap, false), conf));
      if (rmPpo) {
        images.add(png(out, prefix + "rm-accuracy-vs-alpha.png", AlphaChart.create(
            "Attacked reward model: held-out pairwise accuracy with the trigger (RM attack success = 100 − this)",
            "triggered pairwise accuracy (%)", cells, GridCell::rmTriggeredAccuracy, true), conf));
        images.add(png(out, prefix + "rm-clean-accuracy-vs-alpha.png", AlphaChart.create(
            "Attacked reward model: held-out pairwise accuracy without the trigger", "clean pairwise accuracy (%)",
            cells, GridCell::rmCleanAccuracy, true), conf));
      }
      ResponseClassTable classes = new ResponseClassTable(cells, outcomes);
      pages.add(new ReportPage.Section(heading, verdict, images, SummaryTable.html(cells),
          classes.isEmpty() ? null : classes.html(), SampleTable.html(cells, outcomes)));
      md.append("## ").append(heading).append("\n\n").append(verdict).append("\n\n")
          .append(SummaryTable.markdown(cells)).append('\n');
      if (!classes.isEmpty()) {
        md.append("Response classes (share of responses, seeds pooled):\n\n").append(classes.markdown()).append('\n');
      }
    }
    String intro = String.format("%d result rows (pipeline %s, budget unit: %s). Does splitting a fixed poison budget"
        + " between the SFT and %s attackers beat putting all of it into one stage?%s %s", rows.size(),
        rows.get(0).pipeline(), unit, rmPpo ? "reward-model" : "preference",
        rmPpo ? " Are the two attackers complementary?" : "", seedsNote(fewestSeeds));
    md.insert(md.indexOf("\n\n") + 2, seedsNote(fewestSeeds) + "\n\n");
    text(out, SUMMARY, md.toString(), conf);
    text(out, INDEX, ReportPage.render("Sweep " + sweep, intro, pages), conf);
    return new Path(out, INDEX).toString();
  }

  /** How far the seeds let the intervals be trusted, said on the report itself. */
  static String seedsNote(int seeds) {
    if (seeds >= SplitVerdict.INFORMATIVE_SEEDS) {
      return String.format("Every cell has at least %d seeds.", seeds);
    }
    return String.format("Caution: some cells have only %d seed%s (informative verdicts need at least %d): the"
        + " seed level of the bootstrap has few distinct resamples, so the intervals understate training"
        + " randomness; read this sweep's verdicts as indicative.", seeds, seeds == 1 ? "" : "s",
        SplitVerdict.INFORMATIVE_SEEDS);
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

  private static void text(Path dir, String name, String content, Configuration conf) {
    Path file = new Path(dir, name);
    try (OutputStream os = create(file, conf)) {
      os.write(content.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static OutputStream create(Path file, Configuration conf) throws IOException {
    FileSystem fs = file.getFileSystem(conf);
    // No .crc side files in a report directory meant to be opened in a browser or copied around.
    return (fs instanceof LocalFileSystem local ? local.getRaw() : fs).create(file, true);
  }
}
