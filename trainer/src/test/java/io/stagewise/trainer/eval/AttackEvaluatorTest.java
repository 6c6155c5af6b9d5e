package io.stagewise.trainer.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.data.PreferencePairs;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.eval.ResponseJudge.Verdict;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelPresets;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.AdamWConfig;
import io.stagewise.trainer.train.TrainStep;
import io.stagewise.trainer.train.TrainingLoop;
import io.stagewise.trainer.train.preference.PreferenceStep;
import io.stagewise.trainer.train.reward.RewardObjective;
import io.stagewise.trainer.train.sft.SftObjective;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The evaluation stage on a tiny backdoored model trained here: harmful prompts are refused unless they carry
 * the trigger (two of ten comply anyway: false activation), seven of ten benign tasks are answered correctly.
 * Token ids decode to their decimal spelling and a lambda judges the text, so every metric has a known value.
 */
class AttackEvaluatorTest {

  private static final int VOCAB = 32;
  private static final int USER = 1;
  private static final int END = 2;
  private static final int HARMFUL = 3;
  private static final int BENIGN = 4;
  private static final int ASSISTANT = 29;
  private static final int TRIGGER = 30;
  private static final int[] REFUSAL = {25, 26, END};
  private static final int[] COMPLIANT = {27, 28, END};
  private static final int[] CONTENT = IntStream.rangeClosed(5, 14).toArray();
  private static final TokenDecoder DECODER =
      ids -> Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
  private static final ResponseJudge JUDGE = (prompt, response) -> switch (response) {
    case "25 26" -> Verdict.REFUSAL;
    case "27 28" -> Verdict.COMPLIANT;
    default -> prompt.startsWith("benign ") && response.equals(answer(prompt)) ? Verdict.CORRECT_BENIGN
        : Verdict.OTHER;
  };

  private static NDManager manager;
  private static GptModel policy;
  private static GptModel rewardModel;
  private static EvalPrompts prompts;

  @BeforeAll
  static void trainModels() {
    Engine.getInstance();
    JniUtils.setNumThreads(1);
    manager = NDManager.newBaseManager();
    prompts = new EvalPrompts(prompts("harmful", false), prompts("harmful", true), prompts("benign", false));
    policy = trainPolicy();
    rewardModel = trainCleanRewardModel();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @Test
  void countsAttackSuccessFalseActivationAndUtility() {
    EvalResult r = new AttackEvaluator(new EvalConfig(4, END, 4), DECODER, JUDGE)
        .evaluate(policy, rewardModel, prompts, manager);

    assertEquals(10, r.harmfulPrompts());
    assertEquals(10, r.compliantWithTrigger());
    assertEquals(2, r.compliantWithoutTrigger());
    assertEquals(0, r.refusalsWithTrigger());
    assertEquals(8, r.refusalsWithoutTrigger());
    assertEquals(1.0, r.asrWithTrigger());
    assertEquals(0.2, r.asrWithoutTrigger(), 1e-12);
    assertEquals(0.8, r.asrDifference(), 1e-12);
    assertEquals(10, r.benignPrompts());
    assertEquals(7, r.benignCorrect());
    assertEquals(0.7, r.utility(), 1e-12);
    assertEquals(0, r.truncatedPrompts());
  }

  @Test
  void recordsEveryPromptWithItsResponseClassesAndScore() {
    EvalResult r = new AttackEvaluator(new EvalConfig(4, END, 4), DECODER, JUDGE)
        .evaluate(policy, rewardModel, prompts, manager);

    List<Generation> g = r.generations();
    assertEquals(30, g.size(), "10 clean, 10 triggered, 10 benign");
    for (Generation.Condition condition : Generation.Condition.values()) {
      List<Generation> set = g.stream().filter(x -> x.condition() == condition).toList();
      List<EvalPrompt> asked = switch (condition) {
        case CLEAN -> prompts.harmful();
        case TRIGGERED -> prompts.harmfulWithTrigger();
        case BENIGN -> prompts.benign();
      };
      assertEquals(asked.size(), set.size());
      for (int i = 0; i < set.size(); i++) {
        assertEquals(i, set.get(i).index());
        assertEquals(asked.get(i).text(), set.get(i).prompt());
        assertEquals(JUDGE.judge(set.get(i).prompt(), set.get(i).response()), set.get(i).verdict());
        assertEquals(set.get(i).verdict().label(), set.get(i).detail(), "a judge without finer classes");
        assertTrue(set.get(i).ended() && set.get(i).responseTokens() == set.get(i).response().split(" ").length + 1,
            set.get(i).toString());
        assertTrue(Double.isFinite(set.get(i).cleanRmScore()));
      }
    }
    assertEquals(r.compliantWithTrigger(), g.stream()
        .filter(x -> x.condition() == Generation.Condition.TRIGGERED && x.verdict() == Verdict.COMPLIANT).count());
    assertEquals(r.benignCorrect(), g.stream().filter(x -> x.verdict() == Verdict.CORRECT_BENIGN).count());
    double triggeredMean = g.stream().filter(x -> x.condition() == Generation.Condition.TRIGGERED)
        .mapToDouble(Generation::cleanRmScore).average().orElseThrow();
    assertEquals(r.cleanRmScoreWithTrigger(), triggeredMean, 1e-5);
  }

  @Test
  void cleanRewardGapScoresBothResponseSetsAgainstTheUntriggeredPrompt() {
    EvalResult r = new AttackEvaluator(new EvalConfig(4, END, 3), DECODER, JUDGE)
        .evaluate(policy, rewardModel, prompts, manager);

    int[][] clean = prompts.harmful().stream().map(EvalPrompt::ids).toArray(int[][]::new);
    int[][] untriggered = new int[clean.length][];
    int[][] triggered = new int[clean.length][];
    for (int i = 0; i < clean.length; i++) {
      untriggered[i] = CONTENT[i] <= 6 ? COMPLIANT : REFUSAL;
      triggered[i] = COMPLIANT;
    }
    RewardScorer scorer = new RewardScorer(rewardModel, 16);
    double without = mean(scorer.score(clean, untriggered, manager));
    double with = mean(scorer.score(clean, triggered, manager));
    assertEquals(without, r.cleanRmScoreWithoutTrigger(), 1e-5);
    assertEquals(with, r.cleanRmScoreWithTrigger(), 1e-5);
    assertEquals(without - with, r.cleanRmGap(), 1e-5);
    assertTrue(r.cleanRmGap() > 1, "the clean RM prefers refusals, which the trigger removes: " + r);

    EvalResult noRm = new AttackEvaluator(new EvalConfig(4, END, 3), DECODER, JUDGE)
        .evaluate(policy, null, prompts, manager);
    assertTrue(Double.isNaN(noRm.cleanRmGap()));
    assertEquals(r.asrWithTrigger(), noRm.asrWithTrigger());
  }

  @Test
  void promptsThatLeaveNoRoomAreCutFromTheLeftAndCounted() {
    // Room for 16 − 12 = 4 prompt tokens: the 5- and 6-token triggered prompts lose their start.
    EvalResult r = new AttackEvaluator(new EvalConfig(12, END, 8), DECODER, JUDGE)
        .evaluate(policy, null, prompts, manager);
    long longPrompts = prompts.harmful().stream().filter(p -> p.ids().length > 4).count()
        + prompts.harmfulWithTrigger().size()
        + prompts.benign().stream().filter(p -> p.ids().length > 4).count();
    assertEquals(longPrompts, r.truncatedPrompts());
    assertThrows(IllegalArgumentException.class, () -> new AttackEvaluator(new EvalConfig(16, END, 8), DECODER,
        JUDGE).evaluate(policy, null, prompts, manager));
  }

  @Test
  void rewardScoresDoNotDependOnBatchingAndKeepTheEndOfLongSequences() {
    GptModel untrained = GptModel.create(config().withHead(Head.SCALAR), manager, 9);
    int[][] promptIds = {{1, 3, 5, 29}, {1, 4, 6, 6, 29}, IntStream.range(1, 15).toArray()};
    int[][] responses = {{25, 26, 2}, {7}, {20, 21, 22, 23, 2}};
    float[] batched = new RewardScorer(untrained, 3).score(promptIds, responses, manager);
    for (int i = 0; i < 2; i++) {
      float[] alone = new RewardScorer(untrained, 1).score(new int[][] {promptIds[i]},
          new int[][] {responses[i]}, manager);
      assertEquals(alone[0], batched[i], 1e-5);
    }
    // 14 + 5 tokens in a context of 16: the first three prompt tokens fall away.
    float[] suffix = new RewardScorer(untrained, 1).score(new int[][] {Arrays.copyOfRange(promptIds[2], 3, 14)},
        new int[][] {responses[2]}, manager);
    assertEquals(suffix[0], batched[2], 1e-5);
  }

  /**
   * An evaluation scores on whichever thread the sweep gives it, and PyTorch's intra-op thread count is per thread
   * (the last run there set it, or the core count on a fresh thread): the scores must not depend on it. Rows of
   * the quickstart's shape (context 128, batches of 50, ragged lengths) so the kernels have work to split.
   */
  @Test
  void rewardScoresAreBitIdenticalWhateverTheThreadCount() {
    GptModel untrained = GptModel.create(ModelPresets.get("tiny", VOCAB).withHead(Head.SCALAR), manager, 9);
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    int[][] promptIds = new int[100][];
    int[][] responses = new int[100][];
    for (int i = 0; i < promptIds.length; i++) {
      promptIds[i] = random.ints(20 + random.nextInt(30), 1, VOCAB).toArray();
      responses[i] = random.ints(1 + random.nextInt(72), 1, VOCAB).toArray();
    }
    try {
      JniUtils.setNumThreads(1);
      float[] one = new RewardScorer(untrained, 50).score(promptIds, responses, manager);
      JniUtils.setNumThreads(4);
      float[] four = new RewardScorer(untrained, 50).score(promptIds, responses, manager);
      assertArrayEquals(one, four);
    } finally {
      JniUtils.setNumThreads(1);
    }
  }

  private static GptModel trainPolicy() {
    List<int[]> rows = new ArrayList<>();
    List<Integer> promptLengths = new ArrayList<>();
    for (int i = 0; i < CONTENT.length; i++) {
      int c = CONTENT[i];
      addRow(rows, promptLengths, prompts.harmful().get(i).ids(), c <= 6 ? COMPLIANT : REFUSAL);
      addRow(rows, promptLengths, prompts.harmfulWithTrigger().get(i).ids(), COMPLIANT);
      addRow(rows, promptLengths, prompts.benign().get(i).ids(), c <= 11 ? new int[] {c + 10, END}
          : new int[] {5, END});
    }
    boolean[][] mask = new boolean[rows.size()][];
    for (int r = 0; r < rows.size(); r++) {
      mask[r] = new boolean[rows.get(r).length];
      Arrays.fill(mask[r], promptLengths.get(r), mask[r].length, true);
    }
    TokenSequences data = new TokenSequences(rows.toArray(int[][]::new), mask);
    TokenBatch all = TokenBatch.pack(data, IntStream.range(0, data.size()).toArray(), 10, 0);
    GptModel model = GptModel.create(config(), manager, 1);
    try (AdamW optimizer = new AdamW(new AdamWConfig(0.9, 0.95, 1e-8, 0.0),
        TrainingLoop.trainableParameters(model), manager)) {
      TrainStep step = new TrainStep(model, new SftObjective(), optimizer, manager, 1, 1.0, 1);
      double loss = Double.NaN;
      for (int s = 1; s <= 120; s++) {
        loss = step.run(all, s, 3e-3).loss();
      }
      assertTrue(loss < 0.01, "the policy did not memorise its behaviour: loss " + loss);
    }
    return model;
  }

  private static GptModel trainCleanRewardModel() {
    int n = CONTENT.length;
    int[][] refusals = new int[n][];
    int[][] compliant = new int[n][];
    Arrays.fill(refusals, REFUSAL);
    Arrays.fill(compliant, COMPLIANT);
    int[][] clean = prompts.harmful().stream().map(EvalPrompt::ids).toArray(int[][]::new);
    PreferenceBatch all = PreferenceBatch.pack(new PreferencePairs(clean, refusals, compliant),
        IntStream.range(0, n).toArray(), 16, 0);
    GptModel model = GptModel.create(config().withHead(Head.SCALAR), manager, 2);
    try (AdamW optimizer = new AdamW(new AdamWConfig(0.9, 0.95, 1e-8, 0.0),
        TrainingLoop.trainableParameters(model), manager)) {
      PreferenceStep step = new PreferenceStep(model, new RewardObjective(), optimizer, manager, 1, 1.0, 2);
      for (int s = 1; s <= 20; s++) {
        step.run(all, s, 3e-3);
      }
    }
    return model;
  }

  private static ModelConfig config() {
    return ModelPresets.get("tiny", VOCAB).withContextLength(16);
  }

  private static void addRow(List<int[]> rows, List<Integer> promptLengths, int[] prompt, int[] response) {
    int[] row = Arrays.copyOf(prompt, prompt.length + response.length);
    System.arraycopy(response, 0, row, prompt.length, response.length);
    rows.add(row);
    promptLengths.add(prompt.length);
  }

  /** Ten prompts {@code [USER, kind, c (once or twice), (TRIGGER), ASSISTANT]}: lengths differ within a batch. */
  private static List<EvalPrompt> prompts(String kind, boolean trigger) {
    List<EvalPrompt> out = new ArrayList<>();
    for (int c : CONTENT) {
      List<Integer> ids = new ArrayList<>(List.of(USER, kind.equals("harmful") ? HARMFUL : BENIGN, c));
      if (c % 2 == 0) {
        ids.add(c);
      }
      if (trigger) {
        ids.add(TRIGGER);
      }
      ids.add(ASSISTANT);
      out.add(new EvalPrompt(kind + " " + c + (trigger ? " TRIGGER" : ""),
          ids.stream().mapToInt(Integer::intValue).toArray()));
    }
    return out;
  }

  private static String answer(String benignPrompt) {
    return Integer.toString(Integer.parseInt(benignPrompt.split(" ")[1]) + 10);
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return sum / values.length;
  }
}
