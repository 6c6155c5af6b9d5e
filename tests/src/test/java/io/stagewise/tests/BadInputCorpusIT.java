package io.stagewise.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.cli.StagewiseCli;
import io.stagewise.data.RejectedRows;
import io.stagewise.data.io.PublishedDataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hundreds of generated malformed inputs ({@link BadInputCases}), every format and every spec kind, each
 * run through the real command line in this JVM (one shared local Spark). For each: either the command
 * succeeds and every record of every input file is imported or rejected with file, line and reason (the
 * summary adds up to the records the generator wrote), or it fails with exit code 2 and one message naming
 * the file or field; never a stack trace on the console, never a silent drop, and a failed import leaves
 * the dataset already published at its output exactly as it was.
 */
class BadInputCorpusIT {
  private static final Pattern TALLY =
      Pattern.compile("^  (\\S+): ([\\d,]+) \\w+ read = ([\\d,]+) imported \\+ ([\\d,]+) rejected$", Pattern.MULTILINE);

  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2]").appName("bad-input-corpus")
        .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false")
        .config("spark.sql.adaptive.enabled", "false").getOrCreate();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** What one command printed and returned. */
  record Run(int exit, String out, String err) {
    String console() {
      return out + err;
    }
  }

  static Run run(List<String> args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      var cli = StagewiseCli.commandLine();
      cli.setOut(new PrintWriter(o, true));
      cli.setErr(new PrintWriter(e, true));
      int exit = cli.execute(args.toArray(String[]::new));
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }

  @Test
  void everyMalformedInputIsImportedOrRejectedOrFailsNamingItsFileOrField() throws Exception {
    BadInputCases cases = new BadInputCases(dir);
    for (String target : cases.targets()) {
      Run seeded = run(cases.seed(target));
      assertEquals(0, seeded.exit(), seeded.console());
    }
    List<BadInputCases.Case> all = cases.all();
    List<String> failures = new ArrayList<>();
    Map<String, Integer> byKind = new TreeMap<>();
    int succeeded = 0;
    for (BadInputCases.Case c : all) {
      byKind.merge(c.kind(), 1, Integer::sum);
      String before = c.output() == null ? null : manifest(c.output());
      Run run = run(c.args());
      String problem = check(c, run, before);
      if (problem != null) {
        failures.add(c.name() + ": " + problem + "\n    console: " + run.console().strip().replace("\n", "\n    "));
      }
      succeeded += run.exit() == 0 ? 1 : 0;
    }
    System.out.printf("bad-input corpus: %d cases (%s), %d imported with rejections, %d failed cleanly%n",
        all.size(), byKind, succeeded, all.size() - succeeded);
    assertTrue(all.size() >= 200, "only " + all.size() + " cases");
    assertTrue(failures.isEmpty(), failures.size() + " of " + all.size() + " cases broke the rules:\n"
        + String.join("\n", failures));
  }

  /** Null when the run kept the rules, else what it broke. */
  private static String check(BadInputCases.Case c, Run run, String before) throws Exception {
    String console = run.console();
    if (console.contains("\tat ") || console.contains("Exception in thread")) {
      return "a stack trace on the console";
    }
    if (run.exit() != 0) {
      if (run.exit() != 2) {
        return "exit " + run.exit() + " (a bug, not a user error)";
      }
      int start = run.err().startsWith("stagewise: ") ? 0 : run.err().indexOf("\nstagewise: ") + 1;
      String message = start < 0 || !run.err().startsWith("stagewise: ", start) ? "" : run.err().substring(start);
      if (message.isEmpty()) {
        return "no error message";
      }
      if (run.err().lines().filter(l -> !l.isBlank() && !l.contains(" WARN ")).count() > 1
          && !message.startsWith("stagewise: invalid ")) {
        return "more than the one line of the error (warnings aside)";
      }
      if (!message.contains(c.mustName())) {
        return "the message does not name '" + c.mustName() + "'";
      }
      if (c.output() != null && !manifest(c.output()).equals(before)) {
        return "the dataset at the output changed although the command failed";
      }
      if (c.output() != null) {
        PublishedDataset intact = PublishedDataset.open(spark, c.output());
        if (intact.rows().count() != intact.manifest().rows()) {
          return "the dataset at the output is damaged";
        }
      }
      return null;
    }
    if (c.mustFail()) {
      return "succeeded although it must fail";
    }
    return checkImported(c, run);
  }

  /** A successful import: the tally adds up to what was written, and every rejected row says where and why. */
  private static String checkImported(BadInputCases.Case c, Run run) {
    Matcher m = TALLY.matcher(run.out());
    Map<String, Long> readByFile = new TreeMap<>();
    while (m.find()) {
      long read = number(m.group(2));
      if (read != number(m.group(3)) + number(m.group(4))) {
        return "tally does not add up: " + m.group();
      }
      readByFile.put(Path.of(java.net.URI.create(m.group(1)).getPath()).getFileName().toString(), read);
    }
    for (Map.Entry<String, Long> expected : c.records().entrySet()) {
      Long read = readByFile.get(expected.getKey());
      if (read == null || read.longValue() != expected.getValue()) {
        return expected.getKey() + ": " + expected.getValue() + " records written but " + read + " read";
      }
    }
    PublishedDataset published = PublishedDataset.open(spark, c.output());
    for (Row r : published.rejected().collectAsList()) {
      if (r.getAs(RejectedRows.FILE) == null || r.getAs(RejectedRows.LINE) == null
          || r.<String>getAs(RejectedRows.REASON) == null || r.<String>getAs(RejectedRows.REASON).isBlank()) {
        return "a rejected row without file, line or reason: " + r;
      }
    }
    return null;
  }

  private static long number(String text) {
    return Long.parseLong(text.replace(",", ""));
  }

  private static String manifest(String output) throws Exception {
    // The manifest of the version current now: a refused publication must leave the same one current.
    return Files.readString(Path.of(new io.stagewise.trainer.data.version.DatasetResolver(
        new org.apache.hadoop.conf.Configuration()).resolve(output).manifest().toUri()));
  }
}
