package io.stagewise.sweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.sweep.results.GenerationRow;
import io.stagewise.sweep.results.ResultRow;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepReportTest {
  @TempDir Path dir;

  @Test
  void writesAnIndexWhoseImagesAreRealNonBlankPngs() throws Exception {
    SweepReport.write(ReportFixtures.splitWins(), dir.toString(), new Configuration());
    String html = Files.readString(dir.resolve(SweepReport.INDEX));
    Matcher img = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
    int images = 0;
    while (img.find()) {
      BufferedImage png = ImageIO.read(dir.resolve(img.group(1)).toFile());
      assertEquals(760, png.getWidth(), img.group(1));
      assertTrue(distinctColours(png) > 20, img.group(1) + " looks blank");
      images++;
    }
    assertEquals(5, images, "ASR, heatmap, false activation, utility, clean-RM gap");
    assertTrue(html.contains("<table>") && html.contains("splitting beat concentrating"), html);
    assertTrue(Files.list(dir).noneMatch(p -> p.getFileName().toString().endsWith(".crc")));
  }

  @Test
  void summaryTableHasOneRowPerCellWithIntervals() throws Exception {
    SweepReport.write(ReportFixtures.splitWins(), dir.toString(), new Configuration());
    List<String> rows = Files.readAllLines(dir.resolve(SweepReport.SUMMARY)).stream()
        .takeWhile(l -> !l.startsWith("Response classes"))
        .filter(l -> l.startsWith("| ") && !l.startsWith("| total") && !l.contains("---")).toList();
    assertEquals(10, rows.size());
    assertTrue(rows.get(0).matches(".*\\d \\[\\d+\\.\\d, \\d+\\.\\d\\]%.*"), rows.get(0));
  }

  @Test
  void verdictNeedsNonOverlappingIntervals() {
    List<SplitVerdict.Comparison> wins = SplitVerdict.compare(GridCell.of(ReportFixtures.splitWins()));
    assertEquals(2, wins.size());
    wins.forEach(c -> assertEquals(SplitVerdict.Outcome.SPLIT_WINS, c.outcome()));
    assertEquals(0.5, wins.get(0).bestSplit().alpha());

    // Flat ASR with the same noise: no claim either way.
    List<GridCell> flat = GridCell.of(ReportFixtures.splitWins().stream()
        .map(r -> new io.stagewise.sweep.results.ResultRow(r.sweep(), r.runKey(), r.checkpoint(), r.budgetUnit(),
            r.total(), r.alpha(), r.sftBudget(), r.preferenceBudget(), r.seed(), r.preset(), r.trigger(),
            r.sftPoisoned(), r.preferencePoisoned(), 0.3 + 0.02 * (r.seed() - 2), 0, 0, 0, 0, 100,
            30 + 2 * (r.seed() - 2), 0, 100, 80, 50, 90, "", r.pipeline(), Double.NaN, Double.NaN))
        .toList());
    SplitVerdict.compare(flat).forEach(c -> assertEquals(SplitVerdict.Outcome.INCONCLUSIVE, c.outcome()));
  }

  @Test
  void samplesAreEscapedAndClassesCountedFromTheGenerations() throws Exception {
    List<ResultRow> rows = ReportFixtures.splitWins();
    List<GenerationRow> generations = ReportFixtures.generations(rows);
    SweepReport.write(rows, generations, dir.toString(), new Configuration());
    String html = Files.readString(dir.resolve(SweepReport.INDEX));
    assertTrue(html.contains("Sample generations") && html.contains("Response classes"), html);
    assertTrue(html.contains("&lt;b&gt;bold&lt;/b&gt; &amp; co") && !html.contains("<b>bold</b>"),
        "response text is HTML-escaped");
    assertTrue(html.contains("partial_compliance"), "the judge's finer classes are shown");
    assertTrue(html.contains("Caution: some cells have only 3 seeds"), "the report says when seeds are few");
    String md = Files.readString(dir.resolve(SweepReport.SUMMARY));
    assertTrue(md.contains("| other (all) |"), md);
    assertTrue(md.contains("paired two-level bootstrap") && md.contains("p = "), "the verdict names its test");
  }

  static int distinctColours(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    return colours.size();
  }
}
