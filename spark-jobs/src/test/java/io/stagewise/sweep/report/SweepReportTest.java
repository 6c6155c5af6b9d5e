package io.stagewise.sweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        .filter(l -> l.startsWith("| ") && !l.startsWith("| total") && !l.contains("---")).toList();
    assertEquals(10, rows.size());
    assertTrue(rows.get(0).contains(" ± "), rows.get(0));
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
            r.sftPoisoned(), r.preferencePoisoned(), 0.3 + 0.02 * (r.seed() - 2), 0, 0, 0, 0, 100, 30, 0, 100, 80))
        .toList());
    SplitVerdict.compare(flat).forEach(c -> assertEquals(SplitVerdict.Outcome.INCONCLUSIVE, c.outcome()));
  }

  @Test
  void tIntervalMatchesAHandComputation() {
    SeedInterval s = SeedInterval.of(List.of(0.2, 0.4, 0.6));
    // mean 0.4, sd 0.2, t(0.975, 2) = 4.303: half-width 4.303 * 0.2 / sqrt(3)
    assertEquals(0.4, s.mean(), 1e-12);
    assertEquals(4.303 * 0.2 / Math.sqrt(3), s.halfWidth(), 1e-9);
    assertTrue(Double.isNaN(SeedInterval.of(List.of(0.5)).halfWidth()), "one seed has no interval");
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
