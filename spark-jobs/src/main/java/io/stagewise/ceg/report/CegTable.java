package io.stagewise.ceg.report;

import io.stagewise.ceg.ScalingResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The class table of a CEG study, as Markdown and as HTML: one row per innovation and size with the FLOPs CEG,
 * the wall-clock gain and the reference's step gain (each with its interval and status), the loss CEG was
 * measured at, the seeds, and the innovation's class with its reason.
 */
final class CegTable {
  private static final String[] HEADER = {"innovation", "size", "seeds (baseline / innovation)", "target loss",
      "CEG (FLOPs)", "wall-clock gain", "step gain (reference)", "class"};

  private CegTable() {}

  static String markdown(ScalingResults results) {
    StringBuilder md = new StringBuilder("| ").append(String.join(" | ", HEADER)).append(" |\n|");
    md.append(" --- |".repeat(2)).append(" ---: |".repeat(HEADER.length - 3)).append(" --- |\n");
    for (String[] row : rows(results)) {
      md.append("| ").append(String.join(" | ", java.util.Arrays.stream(row).map(c -> c.replace("|", "\\|")).toList()))
          .append(" |\n");
    }
    return md.toString();
  }

  static String html(ScalingResults results) {
    StringBuilder html = new StringBuilder("<table class=\"ceg\">\n<thead><tr>");
    for (String h : HEADER) {
      html.append("<th>").append(escape(h)).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (String[] row : rows(results)) {
      html.append("<tr>");
      for (String v : row) {
        html.append("<td>").append(escape(v)).append("</td>");
      }
      html.append("</tr>\n");
    }
    return html.append("</tbody>\n</table>\n").toString();
  }

  private static List<String[]> rows(ScalingResults results) {
    List<String[]> rows = new ArrayList<>();
    for (ScalingResults.Innovation innovation : results.innovations()) {
      String verdict = innovation.verdict().kind().words() + " — " + innovation.verdict().reason();
      for (ScalingResults.SizeGains g : innovation.sizes()) {
        rows.add(new String[] {innovation.name(), g.size(), g.baselineSeeds() + " / " + g.innovationSeeds(),
            String.format(Locale.ROOT, "%.4f", g.flops().targetLoss()), g.flops().format(), g.seconds().format(),
            g.steps().format(), verdict});
      }
    }
    return rows;
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
