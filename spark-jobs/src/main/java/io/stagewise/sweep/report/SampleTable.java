package io.stagewise.sweep.report;

import io.stagewise.sweep.results.GenerationRow;
import io.stagewise.sweep.results.ResultRow;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A few generations to read, per condition: in every cell, the first seed's answer to the first prompt of the
 * set (the same prompt in every cell, so the rows show how the budget split changes one answer), with the
 * judge's class. Every text is HTML-escaped; whitespace is kept.
 */
final class SampleTable {
  private static final List<String> CONDITIONS = List.of(GenerationRow.TRIGGERED, GenerationRow.CLEAN,
      GenerationRow.BENIGN);
  private static final int LONGEST = 400;

  private SampleTable() {}

  /** The table, or null when the report has no generations for these cells. */
  static String html(List<GridCell> cells, RunOutcomes outcomes) {
    StringBuilder rows = new StringBuilder();
    for (String condition : CONDITIONS) {
      for (GridCell cell : cells) {
        Optional<ResultRow> first = cell.runs().stream().filter(r -> !outcomes.of(r, condition).isEmpty())
            .min(Comparator.comparingLong(ResultRow::seed));
        if (first.isEmpty()) {
          continue;
        }
        GenerationRow g = outcomes.of(first.get(), condition).get(0);
        rows.append("<tr><td>").append(SplitVerdict.number(cell.total())).append("</td><td>")
            .append(SplitVerdict.number(cell.alpha())).append("</td><td>").append(first.get().seed())
            .append("</td><td>").append(condition).append("</td><td class=\"text\">").append(text(g.prompt()))
            .append("</td><td class=\"text\">").append(text(g.response())).append("</td><td>")
            .append(ReportPage.escape(g.detail())).append(g.ended() ? "" : " (cut at the length limit)")
            .append("</td></tr>\n");
      }
    }
    if (rows.isEmpty()) {
      return null;
    }
    return "<table class=\"samples\">\n<thead><tr><th>total</th><th>alpha</th><th>seed</th><th>condition</th>"
        + "<th>prompt</th><th>response</th><th>class</th></tr></thead>\n<tbody>\n" + rows + "</tbody>\n</table>\n";
  }

  private static String text(String s) {
    String shown = s.length() > LONGEST ? s.substring(0, LONGEST) + " …" : s;
    return ReportPage.escape(shown);
  }
}
