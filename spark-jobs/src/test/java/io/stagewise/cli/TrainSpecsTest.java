package io.stagewise.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.trainer.train.TrainConfig;
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
  void packingAPreferenceObjectiveIsRefusedNamingTheField() {
    SpecCheck check = new SpecCheck("run spec");
    TrainSpecs.train(YamlSpecs.parse("{objective: dpo, packing: true}"), check);
    String message = assertThrows(IllegalArgumentException.class, check::validate).getMessage();
    assertTrue(message.contains("train.packing"), message);
  }
}
