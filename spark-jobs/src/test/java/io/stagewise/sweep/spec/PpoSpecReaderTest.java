package io.stagewise.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.sweep.CheckedInSweeps;
import io.stagewise.sweep.plan.SweepPlanner;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.ppo.KlEstimator;
import io.stagewise.trainer.train.ppo.PpoConfig;
import io.stagewise.trainer.train.ppo.ValueInit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sft-rm-ppo specs: their ppo section, its errors, and what they share with the sft-dpo quickstart. */
class PpoSpecReaderTest {

  private static String errors(String spec, String... overrides) {
    ObjectNode tree = CheckedInSweeps.tree(spec);
    SpecOverrides.apply(tree, List.of(overrides));
    return assertThrows(IllegalArgumentException.class, () -> SweepSpecReader.read(tree, spec)).getMessage();
  }

  @Test
  void theQuickstartRunsThePipelineWithTheReferencesPpoSettings() {
    SweepSpec spec = CheckedInSweeps.spec("quickstart-ppo.yaml");
    assertEquals(SweepSpec.Pipeline.SFT_RM_PPO, spec.pipeline());
    PpoConfig ppo = spec.stages().ppoOptions().config(7);
    assertEquals(new PpoConfig(72, 0.7, 0, 7, 1.0, 0.3, KlEstimator.K3, false, 1.0, 0.95, 3, 1, 0.2, 0.2, 0.1,
        ValueInit.REWARD), ppo);
    assertEquals("ppo", spec.stages().ppo().objective().specName());
  }

  /** World, attackers' triggers, model, SFT, reward model and evaluation are the competent sft-dpo quickstart's. */
  @Test
  void theQuickstartSharesEverySettingButTheSecondStageWithTheSftDpoQuickstart() {
    ObjectNode dpo = CheckedInSweeps.tree("quickstart.yaml");
    for (String spec : List.of("quickstart-ppo.yaml", "sft-rm-ppo-study.yaml")) {
      ObjectNode ppo = CheckedInSweeps.tree(spec);
      for (String key : List.of("data", "model", "tokenizer", "truncation", "sft", "reward_model", "eval")) {
        assertEquals(dpo.get(key), ppo.get(key), spec + ": " + key);
      }
      assertEquals(dpo.get("attackers").findValues("triggers"), ppo.get("attackers").findValues("triggers"));
    }
  }

  @Test
  void ppoKnobsAreCheckedUnderTheirSnakeCaseNames() {
    String message = errors("quickstart-ppo.yaml", "ppo.kl_estimator=k2", "ppo.value_init=policy",
        "ppo.gamma=1.5", "ppo.cliprange=0", "ppo.whiten_rewards=3", "ppo.kl_coeff=0.1", "ppo.batch_size=10",
        "ppo.num_mini_batches=4");
    for (String field : List.of("ppo.kl_estimator: unknown value 'k2'", "ppo.value_init: unknown value 'policy'",
        "ppo.gamma:", "ppo.cliprange:", "ppo.whiten_rewards:", "ppo.kl_coeff: unknown key", "ppo.batch_size:")) {
      assertTrue(message.contains(field), "missing " + field + " in:\n" + message);
    }
  }

  @Test
  void eachPipelineRefusesTheOthersSecondStageSection() {
    assertTrue(errors("quickstart-ppo.yaml", "dpo={beta: 0.1}").contains("dpo: belongs to pipeline sft-dpo"));
    assertTrue(errors("quickstart.yaml", "ppo={steps: 3}").contains("ppo: belongs to pipeline sft-rm-ppo"));
    ObjectNode tree = CheckedInSweeps.tree("quickstart-ppo.yaml");
    tree.remove("ppo");
    String message = assertThrows(IllegalArgumentException.class, () -> SweepSpecReader.read(tree, "q"))
        .getMessage();
    assertTrue(message.contains("ppo: is required by pipeline sft-rm-ppo"), message);
  }

  @Test
  void theRewardModelAttackerIsRequired() {
    String message = errors("quickstart-ppo.yaml", "attackers=[{name: s, kind: sft_backdoor, triggers: [t]}]");
    assertTrue(message.contains("attackers: need exactly one preference attacker"), message);
  }

  @Test
  void policyAndValueAdaptersAreReadCarriedToTheRunAndLeftOutOfTheKeysWhenUnset() throws Exception {
    SweepSpec spec = CheckedInSweeps.spec("quickstart-ppo.yaml", "ppo.lora={r: 128, alpha: 128, targets: all-linear}",
        "ppo.value_lora={r: 16, alpha: 32, targets: all-linear}");
    LoraConfig policy = new LoraConfig(128, 128, 0, List.of(LoraConfig.ALL_LINEAR));
    assertEquals(policy, spec.stages().ppo().lora());
    assertEquals(new LoraConfig(16, 32, 0, List.of(LoraConfig.ALL_LINEAR)),
        new PpoOptions(spec.stages().ppoOptions().json().deepCopy()).config(7).valueLora());
    ObjectMapper stageJson = SweepPlanner.json();
    assertEquals(policy, stageJson.treeToValue(stageJson.valueToTree(spec.stages().ppo()), TrainConfig.class).lora(),
        "the stage's train JSON gives the run its adapters");
    SweepSpec plain = CheckedInSweeps.spec("quickstart-ppo.yaml");
    assertFalse(plain.stages().ppoOptions().json().has("value_lora"));
    assertFalse(stageJson.valueToTree(plain.stages().ppo()).has("lora"));
  }

  @Test
  void adaptersAreRefusedWithoutABaseAndCheckedAgainstTheGridsModels() {
    String message = errors("quickstart-ppo.yaml", "ppo.value_lora={r: 0, alpha: 32, targets: all-linear}",
        "sft.lora={r: 8, alpha: 8, targets: all-linear}", "reward_model.lora={r: 8, alpha: 8, targets: all-linear}",
        "ppo.lora={r: 4, alpha: 4, targets: [attention.qkv, mlp.gate]}", "ppo.value_lora.dropuot=0.1");
    for (String field : List.of("ppo.value_lora.r:", "ppo.value_lora.dropuot: unknown key", "sft.lora: the sweep's",
        "reward_model.lora: the sweep's", "ppo.lora.targets: [mlp.gate] not linear layers of this model")) {
      assertTrue(message.contains(field), "missing " + field + " in:\n" + message);
    }
  }

  @Test
  void rewardModelsMayStartFromAHuggingFaceDirectoryAndThenTakeAdapters() {
    SweepSpec spec = CheckedInSweeps.spec("quickstart-ppo.yaml", "reward_model.init=hf:models/rm",
        "reward_model.lora={r: 16, alpha: 32, targets: all-linear}");
    assertTrue(spec.stages().rewardModelInit().startsWith("hf:file:/")
        && spec.stages().rewardModelInit().endsWith("/models/rm"), spec.stages().rewardModelInit());
    assertNull(spec.stages().rewardModelSpec(), "the architecture comes from the directory");
    assertEquals(16, spec.stages().rewardModel().lora().r());
    String message = errors("quickstart-ppo.yaml", "reward_model.init=models/rm", "reward_model.preset=tiny");
    for (String field : List.of("reward_model.init: must be hf:DIR", "reward_model.preset: the reward models'")) {
      assertTrue(message.contains(field), "missing " + field + " in:\n" + message);
    }
  }

  @Test
  void anExplicitNullTurnsTheMissingEosPenaltyOff() {
    SweepSpec spec = CheckedInSweeps.spec("quickstart-ppo.yaml", "ppo.missing_eos_penalty=null");
    assertNull(spec.stages().ppoOptions().config(7).missingEosPenalty());
  }
}
