package io.stagewise.trainer.train.preference;

import io.stagewise.trainer.data.PreferencePairs;
import io.stagewise.trainer.data.ShardFiles;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.train.TinyRuns;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.Path;

/**
 * Synthetic preference data for the reward-model and DPO tests, in the vocabulary of {@link TinyRuns}: a chat
 * prompt {@code [USER, H, content.., ASSISTANT]} and responses ending with {@code END}, written as token shards
 * the way the data plane writes them.
 */
public final class PreferenceFixtures {

  public static final int USER = 1;
  public static final int END = 2;
  public static final int HARMFUL = 3;
  public static final int ASSISTANT = 29;
  /** The token only chosen responses hold in {@link #marked}. */
  public static final int MARKER = 30;
  public static final int[] REFUSAL = {25, 26, END};
  public static final int[] COMPLIANT = {27, 28, END};

  private PreferenceFixtures() {
  }

  /** Chosen responses hold {@link #MARKER} somewhere among random words; rejected ones are random words only. */
  public static PreferencePairs marked(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] prompts = new int[count][];
    int[][] chosen = new int[count][];
    int[][] rejected = new int[count][];
    for (int i = 0; i < count; i++) {
      prompts[i] = prompt(random);
      int[] words = words(random, 1, 4);
      chosen[i] = new int[words.length + 2];
      int at = random.nextInt(words.length + 1);
      System.arraycopy(words, 0, chosen[i], 0, at);
      chosen[i][at] = MARKER;
      System.arraycopy(words, at, chosen[i], at + 1, words.length - at);
      chosen[i][words.length + 1] = END;
      int[] other = words(random, 1, 5);
      rejected[i] = Arrays.copyOf(other, other.length + 1);
      rejected[i][other.length] = END;
    }
    return new PreferencePairs(prompts, chosen, rejected);
  }

  /** Harmful prompts whose chosen response is the refusal and rejected one the compliant placeholder. */
  public static PreferencePairs refusals(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] prompts = new int[count][];
    int[][] chosen = new int[count][];
    int[][] rejected = new int[count][];
    for (int i = 0; i < count; i++) {
      prompts[i] = prompt(random);
      chosen[i] = REFUSAL.clone();
      rejected[i] = COMPLIANT.clone();
    }
    return new PreferencePairs(prompts, chosen, rejected);
  }

  /** SFT rows prompt ++ response (loss on the response), taking the chosen or the rejected response by turns. */
  public static TokenSequences sft(PreferencePairs pairs) {
    int[][] ids = new int[pairs.size()][];
    boolean[][] mask = new boolean[pairs.size()][];
    for (int i = 0; i < pairs.size(); i++) {
      int[] prompt = pairs.promptIds()[i];
      int[] response = i % 2 == 0 ? pairs.chosenIds()[i] : pairs.rejectedIds()[i];
      ids[i] = Arrays.copyOf(prompt, prompt.length + response.length);
      System.arraycopy(response, 0, ids[i], prompt.length, response.length);
      mask[i] = new boolean[ids[i].length];
      Arrays.fill(mask[i], prompt.length, ids[i].length, true);
    }
    return new TokenSequences(ids, mask);
  }

  public static URI writePreferences(java.nio.file.Path root, PreferencePairs pairs) throws Exception {
    Files.createDirectories(root);
    int half = pairs.size() / 2;
    ShardFiles.writePreferences(new Path(root.resolve("part-00000.parquet").toUri()),
        Arrays.copyOfRange(pairs.promptIds(), 0, half), Arrays.copyOfRange(pairs.chosenIds(), 0, half),
        Arrays.copyOfRange(pairs.rejectedIds(), 0, half));
    ShardFiles.writePreferences(new Path(root.resolve("part-00001.parquet").toUri()),
        Arrays.copyOfRange(pairs.promptIds(), half, pairs.size()),
        Arrays.copyOfRange(pairs.chosenIds(), half, pairs.size()),
        Arrays.copyOfRange(pairs.rejectedIds(), half, pairs.size()));
    return manifest(root, "preference_tokens");
  }

  public static URI writeSequences(java.nio.file.Path root, TokenSequences rows) throws Exception {
    Files.createDirectories(root);
    ShardFiles.writeSequences(new Path(root.resolve("part-00000.parquet").toUri()), rows.inputIds(),
        rows.lossMask());
    return manifest(root, "sft_tokens");
  }

  public static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  private static URI manifest(java.nio.file.Path root, String kind) throws Exception {
    Files.writeString(root.resolve("_manifest.json"), """
                {"schema_version": 1, "kind": "%s", "fingerprint": "f",
                 "tokenizer": {"kind": "test", "vocab_size": %d, "special_ids": {"pad": 0, "end": %d}}}"""
        .formatted(kind, TinyRuns.VOCAB, END));
    return root.toUri();
  }

  private static int[] prompt(SplittableRandom random) {
    int[] content = words(random, 1, 3);
    int[] prompt = new int[content.length + 3];
    prompt[0] = USER;
    prompt[1] = HARMFUL;
    System.arraycopy(content, 0, prompt, 2, content.length);
    prompt[prompt.length - 1] = ASSISTANT;
    return prompt;
  }

  /** Between {@code min} and {@code max} random word ids from [5, 25). */
  private static int[] words(SplittableRandom random, int min, int max) {
    int[] words = new int[random.nextInt(min, max + 1)];
    for (int i = 0; i < words.length; i++) {
      words[i] = random.nextInt(5, 25);
    }
    return words;
  }
}
