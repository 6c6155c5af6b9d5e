package io.stagewise.sweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens the report in headless Chromium (Debian's {@code chromium}; CI installs it) and checks that the
 * browser decoded every plot: a copy of index.html with a probe script appended reports each image's
 * {@code naturalWidth} into the DOM, which {@code --dump-dom} returns.
 */
class ReportInChromiumTest {
  private static final String PROBE = """
      <script>
      window.addEventListener('load', () => {
        const images = Array.from(document.images);
        const ok = images.filter(i => i.complete && i.naturalWidth > 0).length;
        const p = document.createElement('pre');
        p.id = 'probe';
        p.textContent = 'images=' + images.length + ' rendered=' + ok;
        document.body.appendChild(p);
      });
      </script>
      """;

  @TempDir Path dir;

  @Test
  void everyPlotRendersInAHeadlessBrowser() throws Exception {
    String chromium = chromium();
    Assumptions.assumeTrue(chromium != null, "chromium is not installed");
    SweepReport.write(ReportFixtures.splitWins(), dir.resolve("report").toString(), new Configuration());
    String html = Files.readString(dir.resolve("report").resolve(SweepReport.INDEX));
    Path probe = dir.resolve("report").resolve("probe.html");
    Files.writeString(probe, html.replace("</body>", PROBE + "</body>"));

    String dom = run(chromium, "--dump-dom", probe.toUri().toString());
    Matcher m = Pattern.compile("images=(\\d+) rendered=(\\d+)").matcher(dom);
    assertTrue(m.find(), "the probe did not run; DOM:\n" + dom);
    assertEquals("5", m.group(1));
    assertEquals(m.group(1), m.group(2), "some plots did not render");

    Path shot = dir.resolve("shot.png");
    run(chromium, "--screenshot=" + shot, "--window-size=1400,1200",
        dir.resolve("report").resolve(SweepReport.INDEX).toUri().toString());
    assertTrue(SweepReportTest.distinctColours(javax.imageio.ImageIO.read(shot.toFile())) > 50,
        "the screenshot of index.html is blank");
  }

  private String run(String chromium, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + Files.createTempDirectory(dir, "profile"), "--virtual-time-budget=5000"));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "chromium", ".out");
    Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (!process.waitFor(90, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium did not finish within 90 s");
    }
    return Files.readString(out);
  }

  private static String chromium() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        File f = new File(dir, name);
        if (f.canExecute()) {
          return f.getPath();
        }
      }
    }
    return null;
  }
}
