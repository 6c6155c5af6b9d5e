package io.stagewise.ceg.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.ceg.CegOptions;
import io.stagewise.ceg.Checkpoint;
import io.stagewise.ceg.LossCurve;
import io.stagewise.ceg.ScalingAnalysis;
import io.stagewise.ceg.ScalingResults;
import io.stagewise.ceg.ScalingRun;
import io.stagewise.ceg.Smoothing;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CegReportTest {

  /** Power-law curves: per size a baseline and two innovations (2x cheaper; 20 % dearer at the small size). */
  private static ScalingResults results() {
    List<ScalingRun> runs = new ArrayList<>();
    String[] sizes = {"tiny", "small-cpu"};
    for (int s = 0; s < sizes.length; s++) {
      double a = s == 0 ? 20 : 200;
      double e = s == 0 ? 3 : 2;
      double from = s == 0 ? 1e3 : 1e6;
      for (long seed = 1; seed <= 2; seed++) {
        double spread = seed == 1 ? 0.99 : 1.01;
        runs.add(run(sizes[s], "baseline", seed, e, a * spread, from, 1, 24));
        runs.add(run(sizes[s], "rope", seed, e, a * spread, from, 2, 20));
        runs.add(run(sizes[s], "mqa", seed, e, a * spread, from, s == 0 ? 0.8 : 1.3, 20));
      }
    }
    return ScalingAnalysis.analyse(runs, "baseline", List.of(sizes),
        new CegOptions(Smoothing.logLogLinear(5), Smoothing.REFERENCE, 100, 3, 0.95));
  }

  private static ScalingRun run(String size, String innovation, long seed, double e, double a, double from,
      double shift, int n) {
    List<Checkpoint> points = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double c = from * Math.pow(10, 0.1 * i) / shift;
      points.add(new Checkpoint(100L * (i + 1), c, c / 1e6, e + a * Math.pow(shift * c, -0.3)));
    }
    return new ScalingRun(size, innovation, seed, LossCurve.of(points));
  }

  @Test
  void writesPlotsTheClassTableAndMarkdown(@TempDir Path dir) throws Exception {
    CegReport.Section section = CegReport.write(results(), dir.toString(), new Configuration());
    assertEquals(List.of("ceg-loss-vs-flops-0.png", "ceg-loss-vs-flops-1.png", "ceg-flops.png", "ceg-wall-clock.png",
        "ceg-steps-reference.png"), section.images());
    for (String image : section.images()) {
      BufferedImage png = ImageIO.read(new File(dir.toFile(), image));
      assertEquals(760, png.getWidth(), image);
      assertTrue(!new File(dir.toFile(), "." + image + ".crc").exists(), "no checksum side file");
    }
    // One row per innovation and size, each with its class.
    assertEquals(4, section.html().split("<tr><td>").length - 1);
    assertTrue(section.html().contains("<td>rope</td><td>tiny</td><td>2 / 2</td>"), section.html());
    assertTrue(section.html().contains("compute-independent"), section.html());
    assertTrue(section.markdown().startsWith("## Compute-equivalent gain\n\n"), section.markdown());
    assertTrue(section.markdown().contains("| rope | small-cpu | 2 / 2 |"), section.markdown());
    assertTrue(section.markdown().contains("Compute-independent: rope."), section.markdown());
  }
}
