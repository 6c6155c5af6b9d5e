package io.stagewise.sweep.report;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-cell summary of a report section, as Markdown (summary.md) and as an HTML table (index.html):
 * budgets, seeds, and each metric's mean with its 95 % bootstrap interval [low, high] over seeds and prompts,
 * and the share of triggered responses that were "other" (neither refusal nor compliant); with an attacked
 * reward model ({@code sft-rm-ppo}), its held-out pairwise accuracy clean and triggered.
 */
final class SummaryTable {
  private static final String[] HEADER = {"total", "alpha", "SFT budget", "preference budget", "seeds",
      "ASR with trigger", "false activation", "ASR difference", "clean-RM gap", "utility", "other with trigger"};
  private static final String[] RM_HEADER = {"RM accuracy (clean)", "RM accuracy (triggered)"};

  private SummaryTable() {}

  static String markdown(List<GridCell> cells) {
    List<String> header = header(cells);
    StringBuilder md = new StringBuilder("| ").append(String.join(" | ", header)).append(" |\n|");
    md.append(" ---: |".repeat(header.size())).append('\n');
    for (GridCell c : cells) {
      md.append("| ").append(String.join(" | ", row(c, hasRewardModel(cells)))).append(" |\n");
    }
    return md.toString();
  }

  static String html(List<GridCell> cells) {
    StringBuilder html = new StringBuilder("<table>\n<thead><tr>");
    for (String h : header(cells)) {
      html.append("<th>").append(h).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (GridCell c : cells) {
      html.append(c.isEndpoint() ? "<tr class=\"endpoint\">" : "<tr>");
      for (String v : row(c, hasRewardModel(cells))) {
        html.append("<td>").append(ReportPage.escape(v)).append("</td>");
      }
      html.append("</tr>\n");
    }
    return html.append("</tbody>\n</table>\n").toString();
  }

  private static boolean hasRewardModel(List<GridCell> cells) {
    return cells.stream().anyMatch(c -> c.rmCleanAccuracy().n() > 0);
  }

  private static List<String> header(List<GridCell> cells) {
    List<String> header = new ArrayList<>(List.of(HEADER));
    if (hasRewardModel(cells)) {
      // In sft-rm-ppo the second attacker's budget poisons the reward model's pairs.
      header.set(3, "RM budget");
      header.addAll(List.of(RM_HEADER));
    }
    return header;
  }

  private static List<String> row(GridCell c, boolean rewardModel) {
    List<String> row = new ArrayList<>(List.of(SplitVerdict.number(c.total()), SplitVerdict.number(c.alpha()),
        SplitVerdict.number(c.sftBudget()), SplitVerdict.number(c.preferenceBudget()), String.valueOf(c.seeds()),
        c.asr().format(true), c.falseActivation().format(true), c.difference().format(true),
        c.cleanRmGap().format(false), c.utility().format(true), c.otherWithTrigger().format(true)));
    if (rewardModel) {
      row.addAll(List.of(c.rmCleanAccuracy().format(true), c.rmTriggeredAccuracy().format(true)));
    }
    return row;
  }
}
