package io.stagewise.trainer.train.dpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.data.PreferencePairs;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TinyRuns;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainingLoop;
import io.stagewise.trainer.train.preference.PairMetrics;
import io.stagewise.trainer.train.preference.PreferenceObjective;
import io.stagewise.trainer.train.preference.PreferenceStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The DPO loss on logits built by hand (no model): two pairs, four rows of three predicted positions over a
 * vocabulary of five. Loss, implicit rewards and the gradient with respect to every logit are recomputed in
 * double precision from the definitions. Garbage collection runs between forward and backward: a scalar that
 * entered the graph through DJL's {@code mul(Number)} would be freed by then and the gradient would be garbage.
 */
class DpoObjectiveTest {

  private static final int VOCAB = 5;
  private static final int WIDTH = 4;
  private static final double BETA = 0.7;
  // Rows: chosen of pair 0, chosen of pair 1, rejected of pair 0, rejected of pair 1.
  private static final int[][] TOKENS = {{1, 2, 3, 4}, {2, 1, 4, 0}, {1, 2, 0, 1}, {2, 3, 3, 0}};
  private static final float[][] MASK = {{0, 0, 1, 1}, {0, 1, 1, 0}, {0, 0, 1, 1}, {0, 1, 1, 1}};
  private static final float[] REFERENCE = {-3.1f, -2.4f, -2.9f, -4.2f};

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @ParameterizedTest
  @EnumSource(DpoConfig.Loss.class)
  void lossRewardsAndLogitGradientMatchAHandComputation(DpoConfig.Loss kind) {
    DpoConfig config = new DpoConfig(BETA, kind);
    float[] logits = randomLogits();
    Expected expected = expected(kind, logits);

    NDArray policyLogits = manager.create(logits, new Shape(4, WIDTH - 1, VOCAB));
    policyLogits.setRequiresGradient(true);
    float loss;
    float[] chosenRewards;
    float[] rejectedRewards;
    try (NDManager step = manager.newSubManager();
        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      PreferenceObjective.PairLoss out = DpoObjective.loss(config, policyLogits, step.zeros(new Shape()),
          step.create(flat(TOKENS), new Shape(4, WIDTH)), step.create(flat(MASK), new Shape(4, WIDTH)),
          step.create(REFERENCE), step);
      NDArray mean = out.lossSum().mul(step.create(0.5f));
      collectGarbage();
      collector.backward(mean);
      loss = mean.getFloat();
      chosenRewards = out.chosenRewards().toFloatArray();
      rejectedRewards = out.rejectedRewards().toFloatArray();
    }
    float[] gradient = policyLogits.getGradient().toFloatArray();

    assertEquals(expected.loss, loss, 1e-5);
    assertArrayEquals(expected.chosenRewards, chosenRewards, 1e-5f);
    assertArrayEquals(expected.rejectedRewards, rejectedRewards, 1e-5f);
    assertArrayEquals(expected.gradient, gradient, 1e-6f);
    assertTrue(maxAbs(expected.gradient) > 1e-3, "the hand gradient is not trivially zero");
  }

  @Test
  void theReferenceIsFrozenAndThePolicyStartsAtLogTwo() {
    GptModel reference = GptModel.create(TinyRuns.model(0f), manager, 5);
    GptModel policy = GptModel.create(TinyRuns.model(0f), manager, 6);
    policy.copyParametersFrom(reference);
    List<float[]> before = values(reference);
    PreferenceObjective dpo = new DpoObjective(reference, DpoConfig.defaults());
    TrainConfig train = TinyRuns.config(3).withObjective(ObjectiveKind.DPO);
    PreferenceBatch batch = PreferenceBatch.pack(new PreferencePairs(new int[][] {{1, 2, 3}, {4, 5}},
        new int[][] {{6, 7}, {8}}, new int[][] {{9}, {10, 11, 12}}), new int[] {0, 1}, TinyRuns.CONTEXT + 1, 0);

    try (AdamW optimizer = new AdamW(train.adamW(), TrainingLoop.trainableParameters(policy), manager)) {
      PreferenceStep step = new PreferenceStep(policy, dpo, optimizer, manager, 2, 1.0, 3);
      PairMetrics first = step.run(batch, 1, 1e-2).metrics();
      assertEquals(Math.log(2), first.loss(), 1e-6, "policy == reference: every log-ratio is 0");
      assertEquals(0.0, first.byName().get(PairMetrics.MARGINS), 1e-6);
      for (int s = 2; s <= 3; s++) {
        step.run(batch, s, 1e-2);
      }
    }

    for (Parameter p : reference.getParameters().values()) {
      assertFalse(p.getArray().hasGradient(), p.getName() + " still requires a gradient");
    }
    List<float[]> after = values(reference);
    for (int i = 0; i < before.size(); i++) {
      assertArrayEquals(before.get(i), after.get(i));
    }
    assertFalse(Arrays.equals(values(policy).get(0), before.get(0)), "the policy trains");
  }

  /** Loss, rewards and d(mean loss)/d(logits) from the definitions, in doubles. */
  private static Expected expected(DpoConfig.Loss kind, float[] logits) {
    int positions = WIDTH - 1;
    double[] logProb = new double[4];
    double[] count = new double[4];
    double[][][] softmax = new double[4][positions][VOCAB];
    for (int r = 0; r < 4; r++) {
      for (int t = 0; t < positions; t++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < VOCAB; v++) {
          max = Math.max(max, logits[index(r, t, v)]);
        }
        double z = 0;
        for (int v = 0; v < VOCAB; v++) {
          z += Math.exp(logits[index(r, t, v)] - max);
        }
        for (int v = 0; v < VOCAB; v++) {
          softmax[r][t][v] = Math.exp(logits[index(r, t, v)] - max) / z;
        }
        logProb[r] += MASK[r][t + 1] * Math.log(softmax[r][t][TOKENS[r][t + 1]]);
        count[r] += MASK[r][t + 1];
      }
      if (kind == DpoConfig.Loss.IPO) {
        logProb[r] /= count[r];
      }
    }
    Expected e = new Expected();
    double[] dLogProb = new double[4];
    for (int p = 0; p < 2; p++) {
      double chosen = logProb[p] - REFERENCE[p];
      double rejected = logProb[2 + p] - REFERENCE[2 + p];
      double h = chosen - rejected;
      e.chosenRewards[p] = (float) (BETA * chosen);
      e.rejectedRewards[p] = (float) (BETA * rejected);
      double dh;
      if (kind == DpoConfig.Loss.SIGMOID) {
        e.loss += Math.log1p(Math.exp(-BETA * h)) / 2;
        dh = -BETA * sigmoid(-BETA * h) / 2;
      } else {
        double d = h - 1 / (2 * BETA);
        e.loss += d * d / 2;
        dh = 2 * d / 2;
      }
      dLogProb[p] = dh;
      dLogProb[2 + p] = -dh;
    }
    for (int r = 0; r < 4; r++) {
      double scale = kind == DpoConfig.Loss.IPO ? dLogProb[r] / count[r] : dLogProb[r];
      for (int t = 0; t < positions; t++) {
        for (int v = 0; v < VOCAB; v++) {
          double target = v == TOKENS[r][t + 1] ? 1 : 0;
          e.gradient[index(r, t, v)] = (float) (scale * MASK[r][t + 1] * (target - softmax[r][t][v]));
        }
      }
    }
    return e;
  }

  private static final class Expected {
    double loss;
    final float[] chosenRewards = new float[2];
    final float[] rejectedRewards = new float[2];
    final float[] gradient = new float[4 * (WIDTH - 1) * VOCAB];
  }

  private static int index(int row, int position, int token) {
    return (row * (WIDTH - 1) + position) * VOCAB + token;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static float[] randomLogits() {
    Random random = new Random(17);
    float[] logits = new float[4 * (WIDTH - 1) * VOCAB];
    for (int i = 0; i < logits.length; i++) {
      logits[i] = (float) (2 * random.nextGaussian());
    }
    return logits;
  }

  private static int[] flat(int[][] rows) {
    return Arrays.stream(rows).flatMapToInt(Arrays::stream).toArray();
  }

  private static float[] flat(float[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * rows[r].length, rows[r].length);
    }
    return out;
  }

  private static float maxAbs(float[] values) {
    float max = 0;
    for (float v : values) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  private static List<float[]> values(GptModel model) {
    List<float[]> out = new ArrayList<>();
    for (Parameter p : model.getParameters().values()) {
      out.add(p.getArray().toFloatArray());
    }
    return out;
  }

  /** Fills the young generation and lets reference processing run, as DJL's temporaries would be freed. */
  static void collectGarbage() {
    for (int i = 0; i < 3; i++) {
      byte[][] churn = new byte[64][];
      for (int j = 0; j < churn.length; j++) {
        churn[j] = new byte[1 << 16];
      }
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
