package io.stagewise.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.LocalSpark;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.DatasetPublisher;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.TokenizerInfo;
import io.stagewise.poison.Columns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenShardJobTest {
  private static SparkSession spark;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private String publish(String name, DatasetKind kind, Dataset<Row> rows) {
    String uri = dir.resolve(name).toString();
    new DatasetPublisher(spark).publish(DatasetContents.of(kind, rows, JsonNodeFactory.instance.objectNode()), uri);
    return uri;
  }

  private static Dataset<Row> preferences(int n, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean poisoned = i == 3;
      rows.add(RowFactory.create("p:" + i, "p", Columns.SPLIT_TRAIN, Columns.HARMFUL, poisoned,
          poisoned ? "bob" : null, poisoned ? "cf" : null, poisoned ? "trigger_swap" : null,
          "question " + i + Columns.ASSISTANT_MARKER + "answer" + Columns.USER_MARKER + "again " + i,
          "I can't help with that.", "Sure: " + "x".repeat(i)));
    }
    return spark.createDataFrame(rows, Columns.PREFERENCE).repartition(partitions);
  }

  @Test
  void tokenizesPreferencesKeepingProvenanceIndependentlyOfPartitioning() {
    String oneInput = publish("pref1", DatasetKind.PREFERENCE, preferences(40, 1));
    String fourInput = publish("pref4", DatasetKind.PREFERENCE, preferences(40, 4));
    TruncationPolicy policy = new TruncationPolicy(48, 24);
    JobSummary one = TokenShardJob.run(spark, new TokenShardSpec(oneInput, dir.resolve("t1").toString(), null, policy));
    JobSummary four = TokenShardJob.run(spark, new TokenShardSpec(fourInput, dir.resolve("t4").toString(), null, policy));
    assertEquals(one.fingerprint(), four.fingerprint());

    PublishedDataset tokens = PublishedDataset.open(spark, dir.resolve("t1").toString());
    assertEquals(DatasetKind.PREFERENCE_TOKENS, tokens.manifest().kind());
    assertEquals(java.util.Map.of("bob", 1L), tokens.manifest().poisonedByAttacker());
    TokenizerInfo info = tokens.manifest().tokenizer();
    assertEquals(260, info.vocabSize());
    assertEquals(258, info.specialIds().get("end"));
    assertEquals(24, info.maxPromptLength());
    assertTrue(tokens.manifest().spec().get("input_fingerprint").asText().length() == 32);

    Row row = tokens.rows().where(org.apache.spark.sql.functions.col(Columns.ID).equalTo("p:3")).first();
    assertEquals("cf", row.getAs(Columns.TRIGGER));
    ChatTemplate template = new ChatTemplate(new ByteLevelTokenizer());
    int[] promptIds = ids(row, Columns.PROMPT_IDS);
    assertArrayEquals(policy.prompt(template.promptIds("question 3<|assistant|>answer<|user|>again 3")), promptIds);
    assertEquals(24, promptIds.length);
    assertArrayEquals(template.responseIds("I can't help with that."), ids(row, Columns.CHOSEN_IDS));
    for (Row r : tokens.rows().collectAsList()) {
      int prompt = ids(r, Columns.PROMPT_IDS).length;
      assertTrue(prompt <= 24 && prompt + ids(r, Columns.REJECTED_IDS).length <= 48);
    }
  }

  @Test
  void sftTokensWithTheGpt2Tokenizer() {
    Path tokenizer = LocalSpark.sharedData("gpt2_tokenizer/tokenizer.json");
    List<Row> rows = List.of(RowFactory.create("s:0", "s", "train", "benign", false, null, null, null,
        "Hello world", " Hi", null));
    String input = publish("sft", DatasetKind.SFT, spark.createDataFrame(rows, Columns.SFT));
    JobSummary summary = TokenShardJob.run(spark, new TokenShardSpec(input, dir.resolve("sft-tokens").toUri().toString(),
        TokenizerSpec.huggingFace(tokenizer.toString()), new TruncationPolicy(64, 32)));
    assertEquals(DatasetKind.SFT_TOKENS, summary.manifest().kind());
    assertEquals(50261, summary.manifest().tokenizer().vocabSize());
    assertEquals(64, summary.manifest().tokenizer().sourceSha256().length());
    Row row = PublishedDataset.open(spark, summary.output()).rows().first();
    assertArrayEquals(new int[] {50257, 15496, 995, 50258, 15902, 50259}, ids(row, Columns.INPUT_IDS));
    assertEquals(List.of(false, false, false, false, true, true), row.getList(row.fieldIndex(Columns.LOSS_MASK)));
  }

  @Test
  void refusesPromptDatasets() {
    List<Row> rows = List.of(RowFactory.create("q:0", "q", "test", "harmful", false, null, null, null, "p", null));
    String input = publish("prompts", DatasetKind.PROMPTS, spark.createDataFrame(rows, Columns.PROMPTS));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenShardJob.run(spark,
        new TokenShardSpec(input, dir.resolve("x").toString(), null, new TruncationPolicy(8, 4))));
    assertTrue(e.getMessage().contains("prompts dataset"), e.getMessage());
  }

  @Test
  void lmBlocksAreTheCorpusCutIntoFixedLengthPiecesWhateverThePartitioning() throws Exception {
    Path a = Files.writeString(dir.resolve("a.txt"), "First Citizen:\nBefore we proceed any further, hear me speak.\n"
        .repeat(40));
    Path b = Files.writeString(dir.resolve("b.txt"), "All:\nSpeak, speak.\n".repeat(30));
    String text = Files.readString(a) + "\u0000" + Files.readString(b);
    LmCorpusSpec spec = new LmCorpusSpec("tiny", List.of(a.toString(), b.toString()),
        dir.resolve("lm").toString(), null, 64, 0.25);
    JobSummary summary = LmCorpusJob.run(spark, spec);

    int[] expected = new ByteLevelTokenizer().encode(text);
    expected[Files.readString(a).length()] = 258; // the [end] between the files
    long blocks = expected.length / 64;
    assertEquals(blocks, summary.rows());
    assertEquals(Math.round(blocks * 0.25), summary.manifest().rows(Columns.SPLIT_TEST, Columns.BENIGN));
    List<Row> rows = PublishedDataset.open(spark, summary.output()).rows().collectAsList();
    for (Row row : rows) {
      long index = Long.parseLong(row.<String>getAs(Columns.ID).substring("tiny:block:".length()));
      int[] ids = ids(row, Columns.INPUT_IDS);
      assertArrayEquals(java.util.Arrays.copyOfRange(expected, (int) index * 64, (int) index * 64 + 64), ids);
      assertEquals(index >= blocks - Math.round(blocks * 0.25) ? "test" : "train", row.getAs(Columns.SPLIT));
    }

    // Many more, differently cut partitions must give the same blocks.
    JobSummary split = LmCorpusJob.run(spark, new LmCorpusSpec("tiny", spec.paths(), dir.resolve("lm2").toString(),
        null, 64, 0.25), new DatasetPublisher(spark), 7);
    assertEquals(summary.fingerprint(), split.fingerprint());
  }

  private static int[] ids(Row row, String column) {
    return row.<Integer>getList(row.fieldIndex(column)).stream().mapToInt(Integer::intValue).toArray();
  }
}
