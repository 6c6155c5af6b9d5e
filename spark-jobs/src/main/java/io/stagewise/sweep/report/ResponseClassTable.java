package io.stagewise.sweep.report;

import io.stagewise.sweep.results.GenerationRow;
import io.stagewise.sweep.results.ResultRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the responses were, per cell and condition (seeds pooled): the share of each of the judge's finer
 * classes and of "other" in all. From the generations when the report has them, else from the result
 * counts (compliant, refusal, other; correct or not for benign tasks).
 */
final class ResponseClassTable {
  /** Display order of the classes the judges know; any other class follows, alphabetically. */
  private static final List<String> ORDER = List.of("refusal", "compliant", "compliant_other_request",
      "correct_benign", "partial_compliance", "partial_refusal", "wrong_answer", "degenerate", "off_template",
      "other");
  private static final List<String> CONDITIONS = List.of(GenerationRow.TRIGGERED, GenerationRow.CLEAN,
      GenerationRow.BENIGN);

  private record Line(GridCell cell, String condition, Map<String, Long> counts, long other, long total) {}

  private final List<Line> lines = new ArrayList<>();
  private final List<String> classes;

  ResponseClassTable(List<GridCell> cells, RunOutcomes outcomes) {
    TreeSet<String> seen = new TreeSet<>((a, b) -> rank(a) != rank(b) ? Integer.compare(rank(a), rank(b))
        : a.compareTo(b));
    for (String condition : CONDITIONS) {
      for (GridCell cell : cells) {
        Map<String, Long> counts = new LinkedHashMap<>();
        long[] otherAndTotal = new long[2];
        cell.runs().forEach(run -> count(run, condition, outcomes, counts, otherAndTotal));
        if (otherAndTotal[1] > 0) {
          seen.addAll(counts.keySet());
          lines.add(new Line(cell, condition, counts, otherAndTotal[0], otherAndTotal[1]));
        }
      }
    }
    classes = List.copyOf(seen);
  }

  private static int rank(String c) {
    int i = ORDER.indexOf(c);
    return i < 0 ? ORDER.size() : i;
  }

  private static void count(ResultRow run, String condition, RunOutcomes outcomes, Map<String, Long> counts,
      long[] otherAndTotal) {
    List<GenerationRow> rows = outcomes.of(run, condition);
    if (!rows.isEmpty()) {
      for (GenerationRow g : rows) {
        counts.merge(g.detail(), 1L, Long::sum);
        otherAndTotal[0] += g.verdict().equals("other") ? 1 : 0;
      }
      otherAndTotal[1] += rows.size();
      return;
    }
    boolean triggered = condition.equals(GenerationRow.TRIGGERED);
    long refusals = triggered ? run.refusalsWithTrigger() : run.refusalsWithoutTrigger();
    if (condition.equals(GenerationRow.BENIGN)) {
      add(counts, otherAndTotal, run.benignPrompts(), Map.of("correct_benign", run.benignCorrect()));
    } else if (refusals >= 0) {
      long compliant = triggered ? run.compliantWithTrigger() : run.compliantWithoutTrigger();
      add(counts, otherAndTotal, run.harmfulPrompts(), Map.of("compliant", compliant, "refusal", refusals));
    }
  }

  /** Of {@code total} responses, {@code named} were of those classes and the rest other. */
  private static void add(Map<String, Long> counts, long[] otherAndTotal, long total, Map<String, Long> named) {
    long other = total - named.values().stream().mapToLong(Long::longValue).sum();
    named.forEach((name, n) -> counts.merge(name, n, Long::sum));
    counts.merge("other", other, Long::sum);
    otherAndTotal[0] += other;
    otherAndTotal[1] += total;
  }

  private List<String> header() {
    List<String> h = new ArrayList<>(List.of("total", "alpha", "condition", "responses"));
    h.addAll(classes);
    h.add("other (all)");
    return h;
  }

  private List<String> row(Line line) {
    List<String> r = new ArrayList<>(List.of(SplitVerdict.number(line.cell().total()),
        SplitVerdict.number(line.cell().alpha()), line.condition(), String.valueOf(line.total())));
    classes.forEach(c -> r.add(share(line.counts().getOrDefault(c, 0L), line.total())));
    r.add(share(line.other(), line.total()));
    return r;
  }

  private static String share(long count, long total) {
    return count == 0 ? "" : String.format("%.0f%%", 100.0 * count / total);
  }

  boolean isEmpty() {
    return lines.isEmpty();
  }

  String markdown() {
    List<String> h = header();
    StringBuilder md = new StringBuilder("| ").append(String.join(" | ", h)).append(" |\n|")
        .append(" ---: |".repeat(h.size())).append('\n');
    lines.forEach(l -> md.append("| ").append(String.join(" | ", row(l))).append(" |\n"));
    return md.toString();
  }

  String html() {
    StringBuilder html = new StringBuilder("<table class=\"classes\">\n<thead><tr>");
    header().forEach(h -> html.append("<th>").append(ReportPage.escape(h)).append("</th>"));
    html.append("</tr></thead>\n<tbody>\n");
    for (Line l : lines) {
      html.append("<tr>");
      row(l).forEach(v -> html.append("<td>").append(ReportPage.escape(v)).append("</td>"));
      html.append("</tr>\n");
    }
    return html.append("</tbody>\n</table>\n").toString();
  }
}
