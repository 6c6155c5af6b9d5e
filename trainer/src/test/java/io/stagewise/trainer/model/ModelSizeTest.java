package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link ModelConfig#withSize}: a model switch must mean the same thing at every size of a scaling sweep. */
class ModelSizeTest {

  private static final ModelConfig BASE = ModelPresets.get("ceg-compact", 100); // 6 layers, 6 heads, width 384

  @Test
  void attentionVariantsKeepTheirRole() {
    assertEquals(12, BASE.withSize(12, 12, 768).kvHeads(), "MHA stays MHA");
    assertEquals(1, BASE.withKvHeads(1).withSize(12, 12, 768).kvHeads(), "MQA stays MQA");
    ModelConfig gqa = BASE.withKvHeads(2).withSize(12, 12, 768);
    assertEquals(3, BASE.withKvHeads(2).queriesPerKvHead());
    assertEquals(3, gqa.queriesPerKvHead(), "GQA keeps its query heads per key/value head");
    assertEquals(4, gqa.kvHeads());
    assertEquals(1, BASE.withKvHeads(2).withSize(4, 3, 192).kvHeads());
  }

  @Test
  void aGroupSizeThatCannotBeKeptIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BASE.withKvHeads(2).withSize(8, 8, 512));
    assertTrue(e.getMessage().startsWith("model.heads") && e.getMessage().contains("multiple of 3"),
        e.getMessage());
  }

  @Test
  void theMlpKeepsItsRatioToTheWidth() {
    assertEquals(4 * 768, BASE.withSize(12, 12, 768).mlpHidden(), "the preset's 4x MLP");
    assertEquals(2 * 768, BASE.withMlpHidden(768).withSize(12, 12, 768).mlpHidden(), "an explicit 2x MLP");
    assertEquals(Math.round(1000 * 256 / 384.0), BASE.withMlpHidden(1000).withSize(4, 4, 256).mlpHidden());
    ModelConfig moe = BASE.withMoe(4, 2).withMlpHidden(768).withSize(12, 12, 768);
    assertEquals(1536, moe.mlpHidden(), "each expert scales the same way");
    assertEquals(4, moe.experts());
  }

  @Test
  void sizeIsTheOnlyThingThatChanges() {
    ModelConfig switched = BASE.withNorm(ModelConfig.Norm.RMSNORM).withPosition(ModelConfig.Position.ROPE)
        .withDropout(0.1f).withTiedEmbeddings(false);
    ModelConfig resized = switched.withSize(12, 12, 768);
    assertEquals(switched.withSize(switched.layers(), switched.heads(), switched.width()), switched);
    assertEquals(switched.norm(), resized.norm());
    assertEquals(switched.position(), resized.position());
    assertEquals(switched.dropout(), resized.dropout());
    assertEquals(switched.tiedEmbeddings(), resized.tiedEmbeddings());
  }
}
