package io.stagewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.train.TrainConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainSpecsTest {

  @Test
  void everyMisspeltKeyOfASectionIsListedNotJustTheFirst() {
    SpecCheck check = new SpecCheck("run spec");
    TrainSpecs.train(YamlSpecs.parse("{stesp: 5, lr: -1, batch_szie: 2}"), check);
    TrainSpecs.model(YamlSpecs.parse("{nrom: rms, dropuot: 0.1}"), "tiny", check);
    String message = assertThrows(IllegalArgumentException.class, check::validate).getMessage();
    for (String key : new String[] {"train.stesp", "train.batch_szie", "model.nrom", "model.dropuot"}) {
      assertTrue(message.contains(key + ": unknown key"), key + " in " + message);
    }
    assertTrue(message.contains("lr"), "the known keys are still validated: " + message);
  }

  @Test
  void packingIsReadWhenSetAndLeftOutOfTheJsonWhenNot() {
    SpecCheck check = new SpecCheck("run spec");
    TrainConfig packed = TrainSpecs.train(YamlSpecs.parse("{objective: sft, packing: true}"), check);
    TrainConfig unset = TrainSpecs.train(YamlSpecs.parse("{objective: sft}"), check);
    check.validate();
    assertTrue(packed.packs());
    assertFalse(unset.packs());
    ObjectMapper json = new ObjectMapper();
    assertFalse(json.valueToTree(unset).has("packing"), "an unset switch must not change stage keys");
    assertTrue(json.valueToTree(packed).get("packing").asBoolean());
  }

  @Test
  void loraIsReadWithOneTargetNameAndLeftOutOfTheJsonWhenUnset() {
    SpecCheck check = new SpecCheck("run spec");
    TrainConfig adapted = TrainSpecs.train(YamlSpecs.parse(
        "{objective: sft, lora: {r: 8, alpha: 16, dropout: 0.05, targets: all-linear}}"), check);
    TrainConfig unset = TrainSpecs.train(YamlSpecs.parse("{objective: sft}"), check);
    check.validate();
    assertEquals(new LoraConfig(8, 16, 0.05, List.of(LoraConfig.ALL_LINEAR)), adapted.lora());
    assertFalse(new ObjectMapper().valueToTree(unset).has("lora"), "an unset lora must not change stage keys");
  }

  @Test
  void everyLoraProblemIsNamedUnderTrainLora() {
    SpecCheck check = new SpecCheck("run spec");
    TrainSpecs.train(YamlSpecs.parse("{objective: sft, lora: {r: 0, alpha: 16, dropout: 1, targets: [attn.c_attn]}}"),
        check);
    String message = assertThrows(IllegalArgumentException.class, check::validate).getMessage();
    for (String field : List.of("train.lora.r:", "train.lora.dropout:", "train.lora.targets: unknown layer 'attn.c_attn'")) {
      assertTrue(message.contains(field), field + " in " + message);
    }
    SpecCheck misspelt = new SpecCheck("run spec");
    TrainSpecs.train(YamlSpecs.parse("{objective: sft, lora: {rank: 8, alpha: 16, targets: all-linear}}"), misspelt);
    String unknown = assertThrows(IllegalArgumentException.class, misspelt::validate).getMessage();
    assertTrue(unknown.contains("train.lora.rank: unknown key"), unknown);
  }

  @Test
  void packingAPreferenceObjectiveIsRefusedNamingTheField() {
    SpecCheck check = new SpecCheck("run spec");
    TrainSpecs.train(YamlSpecs.parse("{objective: dpo, packing: true}"), check);
    String message = assertThrows(IllegalArgumentException.class, check::validate).getMessage();
    assertTrue(message.contains("train.packing"), message);
  }
}
