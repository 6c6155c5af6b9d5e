package io.stagewise.trainer.train.ppo;

import io.stagewise.trainer.data.ShardFiles;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.sft.TrainRun;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A toy chat world for the PPO tests: prompts {@code [USER, words.., ASSISTANT]}, responses of random words
 * ending with {@code END}, and a {@link #MARKER} token that the SFT data puts in about a third of the responses
 * (the toy reward wants it in all of them).
 */
final class PpoFixtures {

  static final int VOCAB = 32;
  static final int CONTEXT = 16;
  static final int USER = 1;
  static final int END = 2;
  static final int ASSISTANT = 29;
  static final int MARKER = 30;

  private PpoFixtures() {
  }

  static ModelSpec tiny() {
    return new ModelSpec("tiny", CONTEXT, null, null, null, null, null, null, 0f, null, null, null, null, null);
  }

  static ModelConfig tinyConfig() {
    return ModelPresets.get("tiny", VOCAB).withContextLength(CONTEXT).withDropout(0f);
  }

  static TrainConfig train(int steps, ObjectiveKind objective) {
    return new TrainConfig(steps, 8, 1, 3e-3, 0, 0.1, 0.0, 0.9, 0.95, 1e-8, 1.0, 0, 1, 1, 0, 2, 11, 1, objective);
  }

  static int[] prompt(SplittableRandom random) {
    int[] prompt = new int[random.nextInt(3, 6)];
    prompt[0] = USER;
    for (int i = 1; i < prompt.length - 1; i++) {
      prompt[i] = random.nextInt(5, 25);
    }
    prompt[prompt.length - 1] = ASSISTANT;
    return prompt;
  }

  /** One to three random words, a third of the time with the marker among them, then {@code END}. */
  static int[] response(SplittableRandom random, boolean marked) {
    int words = random.nextInt(1, 4);
    int[] response = new int[words + 1 + (marked ? 1 : 0)];
    for (int i = 0; i < response.length - 1; i++) {
      response[i] = random.nextInt(5, 25);
    }
    if (marked) {
      response[random.nextInt(response.length - 1)] = MARKER;
    }
    response[response.length - 1] = END;
    return response;
  }

  /** Trains the toy SFT model and returns its checkpoint. */
  static URI sft(java.nio.file.Path dir, Configuration conf) throws Exception {
    SplittableRandom random = new SplittableRandom(7);
    int rows = 96;
    int[][] ids = new int[rows][];
    boolean[][] mask = new boolean[rows][];
    for (int r = 0; r < rows; r++) {
      int[] prompt = prompt(random);
      int[] response = response(random, r % 3 == 0);
      ids[r] = Arrays.copyOf(prompt, prompt.length + response.length);
      System.arraycopy(response, 0, ids[r], prompt.length, response.length);
      mask[r] = new boolean[ids[r].length];
      Arrays.fill(mask[r], prompt.length, ids[r].length, true);
    }
    java.nio.file.Path data = dir.resolve("sft-data");
    Files.createDirectories(data);
    ShardFiles.writeSequences(new Path(data.resolve("part-00000.parquet").toUri()), ids, mask);
    manifest(data, "sft_tokens");
    return TrainRun.run(new TrainRunSpec(data.toUri(), null, dir.resolve("sft").toUri(), tiny(),
        train(40, ObjectiveKind.SFT), false, null), conf, quiet()).checkpoint();
  }

  /** Preference shards whose prompts PPO rolls out from; chosen responses hold the marker. */
  static URI preferences(java.nio.file.Path root, int count, long seed) throws Exception {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] prompts = new int[count][];
    int[][] chosen = new int[count][];
    int[][] rejected = new int[count][];
    for (int i = 0; i < count; i++) {
      prompts[i] = prompt(random);
      chosen[i] = response(random, true);
      rejected[i] = response(random, false);
    }
    Files.createDirectories(root);
    ShardFiles.writePreferences(new Path(root.resolve("part-00000.parquet").toUri()), prompts, chosen, rejected);
    manifest(root, "preference_tokens");
    return root.toUri();
  }

  static PrintStream quiet() {
    return new PrintStream(OutputStream.nullOutputStream());
  }

  private static void manifest(java.nio.file.Path root, String kind) throws Exception {
    Files.writeString(root.resolve("_manifest.json"), """
        {"schema_version": 1, "kind": "%s", "fingerprint": "f",
         "tokenizer": {"kind": "test", "vocab_size": %d, "special_ids": {"pad": 0, "end": %d}}}"""
        .formatted(kind, VOCAB, END));
  }

  /** Deletes a directory tree, e.g. a checkpoint, as if the job had died before writing it. */
  static void deleteRecursively(java.nio.file.Path path) throws Exception {
    try (java.util.stream.Stream<java.nio.file.Path> all = java.nio.file.Files.walk(path)) {
      for (java.nio.file.Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(p);
      }
    }
  }
}
