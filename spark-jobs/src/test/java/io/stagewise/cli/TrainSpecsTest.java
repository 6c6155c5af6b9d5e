package io.stagewise.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.SpecCheck;
import io.stagewise.data.spec.YamlSpecs;
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
}
