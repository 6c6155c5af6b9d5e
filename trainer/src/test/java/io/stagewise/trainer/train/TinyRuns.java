package io.stagewise.trainer.train;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.model.precision.Precision;
import io.stagewise.trainer.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** Shared fixtures of the training tests: a tiny model and learnable synthetic token rows. */
public final class TinyRuns {

  public static final int VOCAB = 32;
  public static final int CONTEXT = 16;
  public static final int PAD = 0;

  private TinyRuns() {
  }

  public static ModelConfig model(float dropout) {
    return ModelPresets.get("tiny", VOCAB).withContextLength(CONTEXT).withDropout(dropout);
  }

  public static TrainConfig config(int steps) {
    return new TrainConfig(steps, 8, 1, 3e-3, 2, 0.1, 0.1, 0.9, 0.95, 1e-8, 1.0, 0, 2, 1, 0, 2, 11, 0,
        ObjectiveKind.SFT);
  }

  /**
   * Rows that count up from a random start (wrapping within 1..VOCAB-1), the second half being the response:
   * the next token is a function of the current one, so the loss falls fast below the uniform log(VOCAB).
   * Lengths vary so rows are padded.
   */
  public static TokenSequences rows(int count, long seed) {
    return rows(count, seed, 6, CONTEXT);
  }

  /** As {@link #rows(int, long)}, each row {@code minLength} to {@code maxLength} tokens long. */
  public static TokenSequences rows(int count, long seed, int minLength, int maxLength) {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] ids = new int[count][];
    boolean[][] mask = new boolean[count][];
    for (int r = 0; r < count; r++) {
      int length = random.nextInt(minLength, maxLength + 1);
      int start = random.nextInt(VOCAB - 1);
      ids[r] = new int[length];
      mask[r] = new boolean[length];
      for (int t = 0; t < length; t++) {
        ids[r][t] = 1 + (start + t) % (VOCAB - 1);
        mask[r][t] = t >= length / 2;
      }
    }
    return new TokenSequences(ids, mask);
  }

  /**
   * The losses of {@code steps} updates of a fresh {@code modelConfig} model (seed 5) on batches of 8 rows
   * drawn from {@code rows} (seed 11), two micro-batches each; {@code afterLast} sees the optimizer after the
   * last step.
   */
  static List<Double> losses(ModelConfig modelConfig, Precision precision, TokenSequences rows, int steps,
      Consumer<AdamW> afterLast) {
    TrainConfig config = config(steps);
    ShuffledBatches batches = new ShuffledBatches(rows, 8, CONTEXT + 1, PAD, 11, DataPosition.START);
    List<Double> losses = new ArrayList<>();
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(modelConfig, precision, manager, 5);
      try (AdamW optimizer = new AdamW(config.adamW(), TrainingLoop.trainableParameters(model), manager)) {
        TrainStep step = new TrainStep(model, config.objective().create(), optimizer, manager, 2,
            config.clipNorm(), config.seed());
        for (int s = 1; s <= steps; s++) {
          losses.add(step.run(batches.next(), s, config.schedule().lr(s)).loss());
        }
        afterLast.accept(optimizer);
      }
    }
    return losses;
  }

  /** The largest |actual − expected| / expected over the steps of two loss curves of one length. */
  static double widestRelativeGap(List<Double> expected, List<Double> actual) {
    double widest = 0;
    for (int s = 0; s < expected.size(); s++) {
      widest = Math.max(widest, Math.abs(actual.get(s) - expected.get(s)) / expected.get(s));
    }
    return widest;
  }
}
