package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParameterCountTest {

  @Test
  void smallCpuIsTheBenchmarkSize() {
    // embeddings 260·128 + 128·128, 4 × (LN 512 + qkv 49_536 + proj 16_512 + mlp 131_712), final LN 256
    assertEquals(843_008L, FlopCounter.parameters(ModelPresets.get("small-cpu", 260)));
  }

  @Test
  void keyValueHeadsShrinkOnlyTheKeyValueProjection() {
    ModelConfig mha = ModelFixtures.tiny();
    long headDim = mha.headDim();
    long width = mha.width();
    long perKvHead = 2 * headDim * width + 2 * headDim; // K and V weights and biases of one kv head
    // 4 heads: GQA with 2 kv heads drops 2 of them per layer, MQA drops 3
    long mhaCount = FlopCounter.parameters(mha);
    assertEquals(mhaCount - mha.layers() * 2 * perKvHead, FlopCounter.parameters(mha.withKvHeads(2)));
    assertEquals(mhaCount - mha.layers() * 3 * perKvHead, FlopCounter.parameters(mha.withKvHeads(1)));
  }

  @Test
  void counterAgreesWithTheBuiltModel() {
    ModelConfig base = ModelFixtures.tiny();
    List<ModelConfig> configs = List.of(base, base.withKvHeads(1), base.withKvHeads(2).withPosition(Position.ROPE),
        base.withNorm(Norm.RMSNORM).withTiedEmbeddings(false), base.withNorm(Norm.NONE).withHead(Head.SCALAR),
        base.withMoe(3, 2), base.withFeedForward(ModelConfig.Mlp.SWIGLU).withKvHeads(2),
        ModelPresets.get("small-cpu", 260));
    try (NDManager manager = NDManager.newBaseManager()) {
      for (ModelConfig config : configs) {
        GptModel model = GptModel.create(config, manager, 1);
        long built = model.getParameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
        assertEquals(FlopCounter.parameters(config), built, config.toString());
        assertEquals(built, model.parameterCount());
        assertTrue(built > 0);
      }
    }
  }
}
