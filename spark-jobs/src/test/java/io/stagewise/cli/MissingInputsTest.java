package io.stagewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.sweep.CheckedInSweeps;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command that reads an input path says which ones are missing, each under its field or option, before
 * it starts Spark at all, let alone a job: exit code 2, one message, no stack trace.
 */
class MissingInputsTest {
  @TempDir Path dir;

  @Test
  void dataBuildNamesEveryMissingStageInput() throws Exception {
    Path spec = Files.writeString(dir.resolve("build.yaml"), """
        sft: {input: %s, output: %s}
        preference: {input: %s, output: %s}
        attackers:
          - {name: s, kind: sft_backdoor, triggers: [t], budget: {count: 1}}
          - {name: p, kind: label_flip, budget: {count: 1}}
        """.formatted(missing("sft"), dir.resolve("o1"), missing("pref"), dir.resolve("o2")));
    assertRefused(new String[] {"data", "build", spec.toString()}, "invalid dataset build spec " + spec,
        "sft.input: no such file or directory: " + missing("sft"),
        "preference.input: no such file or directory: " + missing("pref"));
  }

  @Test
  void dataTokenizeNamesItsInputTextFilesAndTokenizer() throws Exception {
    Path present = Files.writeString(dir.resolve("present.txt"), "some text");
    assertRefused(new String[] {"data", "tokenize", "--input", missing("ds"), "--out", dir.resolve("o").toString(),
        "--tokenizer", missing("tokenizer.json")}, "--input: no such file or directory: " + missing("ds"),
        "--tokenizer: no such file or directory: " + missing("tokenizer.json"));
    assertRefused(new String[] {"data", "tokenize", "--text", present + "," + missing("b.txt"), "--out",
        dir.resolve("o").toString()}, "--text[1]: no such file or directory: " + missing("b.txt"));
  }

  @Test
  void trainNamesItsTrainingAndEvaluationData() throws Exception {
    Path spec = Files.writeString(dir.resolve("run.yaml"), """
        train_data: %s
        eval_data: %s
        output: %s
        train: {steps: -1}
        """.formatted(missing("train"), missing("eval"), dir.resolve("run")));
    assertRefused(new String[] {"train", "--spec", spec.toString()},
        "train_data: no such file or directory: " + missing("train"),
        "eval_data: no such file or directory: " + missing("eval"), "steps");
    assertRefused(new String[] {"train", "--spec", spec.toString(), "--train-data", missing("flag")},
        "--train-data: no such file or directory: " + missing("flag"));
  }

  @Test
  void trainAndExportNameTheirModelDirectories() throws Exception {
    Path spec = Files.writeString(dir.resolve("init.yaml"), """
        train_data: %s
        output: %s
        init: hf:%s
        """.formatted(missing("train"), dir.resolve("run"), missing("hf")));
    assertRefused(new String[] {"train", "--spec", spec.toString()}, "init: no such file or directory: "
        + missing("hf"));
    assertRefused(new String[] {"export", "--checkpoint", "hf:" + missing("model"), "--out",
        dir.resolve("out").toString(), "--data", missing("tokens")},
        "--checkpoint: no such file or directory: " + missing("model"),
        "--data: no such file or directory: " + missing("tokens"));
  }

  @Test
  void sweepsNameTheirDatasetsCorpusAndTokenizer() {
    String quickstart = CheckedInSweeps.DIR.resolve("quickstart.yaml").toString();
    assertRefused(new String[] {"sweep", quickstart, "--out", dir.resolve("s").toString(),
        "--set", "data={datasets: {sft: %s, preference: %s, eval_harmful: %s, eval_benign: %s}}".formatted(
            missing("sft"), missing("pref"), missing("eh"), missing("eb")),
        "--set", "tokenizer={kind: huggingface, path: %s}".formatted(missing("tok.json"))},
        "data.datasets.sft: no such file", "data.datasets.preference: no such file",
        "data.datasets.eval_harmful: no such file", "data.datasets.eval_benign: no such file",
        "tokenizer.path: no such file or directory: " + missing("tok.json"));
    assertRefused(new String[] {"sweep", quickstart, "--out", dir.resolve("s").toString(),
        "--set", "data={import: {sft: [{name: a, format: alpaca, paths: [%s]}], preference: [{name: h,"
            .formatted(missing("a.json")) + " format: hh_rlhf, paths: [%s]}], eval_harmful: [{name: b,"
            .formatted(missing("h.jsonl")) + " format: advbench, paths: [%s]}]}}".formatted(missing("b.csv"))},
        "data.import.sft[0].paths[0]: no such file or directory: " + missing("a.json"),
        "data.import.preference[0].paths[0]: no such file", "data.import.eval_harmful[0].paths[0]: no such file");
    assertRefused(new String[] {"sweep", CheckedInSweeps.DIR.resolve("ceg-small.yaml").toString(), "--out",
        dir.resolve("c").toString(), "--set", "data={corpus: {paths: [%s]}}".formatted(missing("corpus.txt"))},
        "data.corpus.paths[0]: no such file or directory: " + missing("corpus.txt"));
  }

  @Test
  void inspectAndReportNameTheirInput() {
    assertRefused(new String[] {"data", "inspect", missing("ds")}, "DATASET: no such file or directory");
    assertRefused(new String[] {"report", missing("results.parquet")}, "RESULTS: no such file or directory");
  }

  private String missing(String name) {
    return dir.resolve("missing").resolve(name).toString();
  }

  /** Runs the CLI as {@code main} does and expects a user error listing {@code expected}, with no Spark. */
  private static void assertRefused(String[] args, String... expected) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new StagewiseCli());
    cli.setExecutionExceptionHandler(new CliErrors());
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    boolean started = SparkSession.getDefaultSession().isDefined();
    if (started) {
      SparkSession.getDefaultSession().get().stop();
    }
    String message = err.toString();
    assertEquals(2, exit, message);
    assertTrue(message.startsWith("stagewise: "), message);
    assertTrue(!message.contains("\tat "), "a stack trace:\n" + message);
    for (String text : expected) {
      assertTrue(message.contains(text), () -> "missing '" + text + "' in:\n" + message);
    }
    assertTrue(!started, "a Spark session was started");
  }
}
