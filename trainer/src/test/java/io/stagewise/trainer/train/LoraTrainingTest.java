package io.stagewise.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.data.PreferencePairs;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.TrainableParameter;
import io.stagewise.trainer.train.dpo.DpoConfig;
import io.stagewise.trainer.train.dpo.DpoObjective;
import io.stagewise.trainer.train.preference.PairMetrics;
import io.stagewise.trainer.train.preference.PreferenceStep;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One optimizer step of a LoRA model: only the adapters move, the base is bit for bit what it was. */
class LoraTrainingTest {

  private static final LoraConfig LORA = new LoraConfig(4, 8, 0.1, List.of(LoraConfig.ALL_LINEAR));

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @Test
  void anSftStepChangesAdaptersOnly() {
    GptModel model = GptModel.create(TinyRuns.model(0.1f), LORA, manager, 3);
    TrainConfig train = TinyRuns.config(3);
    Map<String, float[]> before = values(model);
    TokenBatch batch = TokenBatch.pack(TinyRuns.rows(8, 5), new int[] {0, 1, 2, 3, 4, 5, 6, 7},
        TinyRuns.CONTEXT + 1, TinyRuns.PAD);

    try (AdamW optimizer = new AdamW(train.adamW(), TrainingLoop.trainableParameters(model), manager)) {
      assertOnlyAdapters(optimizer);
      TrainStep step = new TrainStep(model, train.objective().create(), optimizer, manager, 2, 1.0, 3);
      step.run(batch, 1, 1e-2);
    }
    assertOnlyAdaptersChanged(model, before);
  }

  @Test
  void aDpoStepAgainstTheAdapterFreeBaseChangesAdaptersOnly() {
    GptModel policy = GptModel.create(TinyRuns.model(0f), LORA, manager, 6);
    Map<String, float[]> before = values(policy);
    DpoObjective dpo = new DpoObjective(FrozenReference.baseOf(policy), DpoConfig.defaults());
    TrainConfig train = TinyRuns.config(3).withObjective(ObjectiveKind.DPO);
    PreferenceBatch batch = PreferenceBatch.pack(new PreferencePairs(new int[][] {{1, 2, 3}, {4, 5}},
        new int[][] {{6, 7}, {8}}, new int[][] {{9}, {10, 11, 12}}), new int[] {0, 1}, TinyRuns.CONTEXT + 1, 0);

    try (AdamW optimizer = new AdamW(train.adamW(), TrainingLoop.trainableParameters(policy), manager)) {
      assertOnlyAdapters(optimizer);
      PreferenceStep step = new PreferenceStep(policy, dpo, optimizer, manager, 2, 1.0, 3);
      PairMetrics first = step.run(batch, 1, 1e-2).metrics();
      assertEquals(Math.log(2), first.loss(), 1e-6, "fresh adapters: the policy is its reference");
      assertOnlyAdaptersChanged(policy, before);
      PairMetrics later = step.run(batch, 2, 1e-2).metrics();
      assertTrue(later.loss() < Math.log(2), "the adapters move the policy away from its base: " + later.loss());
    }
    assertOnlyAdaptersChanged(policy, before);
  }

  @Test
  void aLoraStepCountsTheFrozenBaseForwardAndBackwardButNotItsWeightGradients() {
    ModelConfig config = TinyRuns.model(0f);
    long full = FlopCounter.trainingFlops(config, 4, 16);
    long adapted = FlopCounter.trainingFlops(config, LORA, 4, 16);
    long forward = FlopCounter.forwardFlops(config, 4, 16);
    assertTrue(adapted < full && adapted > 2 * forward, full + " > " + adapted + " > " + 2 * forward);
    // The difference is one forward's weight products less three times the adapters' A and B products.
    long tokens = 4 * 16;
    long width = config.width();
    long qkvOut = (long) (config.heads() + 2 * config.kvHeads()) * config.headDim();
    long adapters = config.layers() * 2 * tokens * LORA.r()
        * ((width + qkvOut) + 2 * width + 2 * (width + config.mlpHidden()));
    long attention = config.layers() * 2 * (2 * 4L * config.heads() * 16 * 16 * config.headDim());
    assertEquals(3 * forward - (forward - attention) + 3 * adapters, adapted);
    assertEquals(full, FlopCounter.trainingFlops(config, null, 4, 16));
  }

  private static void assertOnlyAdapters(AdamW optimizer) {
    List<String> names = optimizer.parameters().stream().map(TrainableParameter::name).toList();
    assertFalse(names.isEmpty());
    assertTrue(names.stream().allMatch(n -> n.endsWith(".lora_a") || n.endsWith(".lora_b")), names::toString);
  }

  private static void assertOnlyAdaptersChanged(GptModel model, Map<String, float[]> before) {
    int changed = 0;
    for (Parameter p : model.getParameters().values()) {
      float[] now = p.getArray().toFloatArray();
      if (model.isAdapterParameter(p.getName())) {
        changed += java.util.Arrays.equals(now, before.get(p.getName())) ? 0 : 1;
      } else {
        assertArrayEquals(before.get(p.getName()), now, 0f, p.getName() + " is frozen");
        assertFalse(p.getArray().hasGradient(), p.getName() + " records no gradient");
      }
    }
    assertTrue(changed > 0, "at least one adapter tensor changed");
  }

  private static Map<String, float[]> values(GptModel model) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Parameter p : model.getParameters().values()) {
      out.put(p.getName(), p.getArray().toFloatArray());
    }
    return out;
  }
}
