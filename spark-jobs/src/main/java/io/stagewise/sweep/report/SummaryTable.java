package io.stagewise.sweep.report;

import java.util.List;

/**
 * The per-cell summary of a report section, as Markdown (summary.md) and as an HTML table (index.html):
 * budgets, seeds, and each metric's mean with its 95 % bootstrap interval [low, high] over seeds and prompts,
 * and the share of triggered responses that were "other" (neither refusal nor compliant).
 */
final class SummaryTable {
  private static final String[] HEADER = {"total", "alpha", "SFT budget", "preference budget", "seeds",
      "ASR with trigger", "false activation", "ASR difference", "clean-RM gap", "utility", "other with trigger"};

  private SummaryTable() {}

  static String markdown(List<GridCell> cells) {
    StringBuilder md = new StringBuilder("| ").append(String.join(" | ", HEADER)).append(" |\n|");
    md.append(" ---: |".repeat(HEADER.length)).append('\n');
    for (GridCell c : cells) {
      md.append("| ").append(String.join(" | ", row(c))).append(" |\n");
    }
    return md.toString();
  }

  static String html(List<GridCell> cells) {
    StringBuilder html = new StringBuilder("<table>\n<thead><tr>");
    for (String h : HEADER) {
      html.append("<th>").append(h).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (GridCell c : cells) {
      html.append(c.isEndpoint() ? "<tr class=\"endpoint\">" : "<tr>");
      for (String v : row(c)) {
        html.append("<td>").append(ReportPage.escape(v)).append("</td>");
      }
      html.append("</tr>\n");
    }
    return html.append("</tbody>\n</table>\n").toString();
  }

  private static String[] row(GridCell c) {
    return new String[] {SplitVerdict.number(c.total()), SplitVerdict.number(c.alpha()),
        SplitVerdict.number(c.sftBudget()), SplitVerdict.number(c.preferenceBudget()), String.valueOf(c.seeds()),
        c.asr().format(true), c.falseActivation().format(true), c.difference().format(true),
        c.cleanRmGap().format(false), c.utility().format(true), c.otherWithTrigger().format(true)};
  }
}
