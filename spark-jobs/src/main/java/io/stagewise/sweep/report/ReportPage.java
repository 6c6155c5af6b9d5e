package io.stagewise.sweep.report;

import java.util.List;

/** The HTML of {@code report/index.html}: self-contained (inline CSS, PNGs beside it), no scripts. */
final class ReportPage {
  /**
   * One section: a (preset, trigger) group with its charts, verdict and tables (HTML); {@code classes} and
   * {@code samples} are null when the report has neither generations nor class counts.
   */
  record Section(String heading, String verdict, List<String> images, String table, String classes,
      String samples) {}

  private ReportPage() {}

  static String render(String title, String intro, List<Section> sections) {
    StringBuilder body = new StringBuilder();
    for (Section s : sections) {
      body.append("<h2>").append(escape(s.heading())).append("</h2>\n");
      body.append("<p class=\"verdict\">").append(escape(s.verdict())).append("</p>\n<div class=\"plots\">\n");
      for (String image : s.images()) {
        body.append("<img src=\"").append(escape(image)).append("\" alt=\"").append(escape(image)).append("\">\n");
      }
      body.append("</div>\n").append(s.table());
      if (s.classes() != null) {
        body.append("<h3>Response classes</h3>\n<p>Share of each class of the judge among the responses of each"
            + " cell and condition, seeds pooled; &ldquo;other (all)&rdquo; is every response that was neither a"
            + " refusal, compliant nor a correct benign answer.</p>\n").append(s.classes());
      }
      body.append("<h3>Sample generations</h3>\n").append(s.samples() != null ? s.samples()
          : "<p>No generations were found for these runs (a results table from before generations were saved, or"
          + " moved away from its stage directories).</p>\n");
    }
    return document(title, intro, "tr.endpoint { background: #fdf3e7; }\n  td.text { text-align: left; white-space: pre-wrap;"
        + " max-width: 40em; font-family: monospace; }", body.toString(), """
        <p>Rows shaded orange concentrate the whole budget in one stage (alpha 0 or 1). Values are means over
        seeds of each seed's mean over prompts, with a 95&nbsp;% percentile interval [low, high] from a two-level
        bootstrap: resample the seeds, then the prompts within each drawn seed. It assumes seeds are exchangeable
        training replicates and prompts exchangeable draws from the held-out prompt population; with few seeds
        it understates training randomness. The full table is <code>summary.md</code>, the per-seed rows the
        results Parquet table, and every prompt and response each evaluation's <code>generations.parquet</code>
        (its <code>generations</code> column).</p>
        """);
  }

  /** A whole page with the reports' shared style: title, introduction, body (HTML) and a closing note (HTML). */
  static String document(String title, String intro, String extraStyle, String body, String footer) {
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>%s</title>
        <style>
          body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1500px; color: #222; }
          .plots { display: grid; grid-template-columns: repeat(auto-fit, minmax(600px, 1fr)); gap: 1em; }
          .plots img { width: 100%%; border: 1px solid #ddd; }
          .verdict { background: #f4f7fb; border-left: 4px solid #1f77b4; padding: 0.8em 1em; }
          table { border-collapse: collapse; margin-top: 1em; font-size: 0.9em; }
          th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
          %s
        </style>
        </head>
        <body>
        <h1>%s</h1>
        <p>%s</p>
        %s%s</body>
        </html>
        """.formatted(escape(title), extraStyle, escape(title), escape(intro), body, footer);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
