package io.stagewise.sweep.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.ceg.Smoothing;
import io.stagewise.data.spec.YamlSpecs;
import io.stagewise.sweep.CheckedInSweeps;
import io.stagewise.trainer.model.BlockSparsity;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.train.ObjectiveKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScalingSpecReaderTest {

  static ScalingSpec scaling(String file, String... overrides) {
    com.fasterxml.jackson.databind.node.ObjectNode tree = CheckedInSweeps.tree(file);
    SpecOverrides.apply(tree, List.of(overrides));
    return assertInstanceOf(ScalingSpec.class, SweepSpecReader.load(tree, file));
  }

  @Test
  void readsTheSmallStudy() {
    ScalingSpec spec = scaling("ceg-small.yaml");
    assertEquals(List.of("tiny", "small-cpu"), spec.presets());
    assertEquals(List.of(1L, 2L), spec.seeds());
    assertEquals("baseline", spec.baseline());
    assertEquals(10, spec.innovations().size());
    assertEquals(ObjectiveKind.LM, spec.lm().objective());
    assertEquals(Smoothing.REFERENCE, spec.ceg().referenceSmoothing());
    ScalingCorpus.TextFiles corpus = assertInstanceOf(ScalingCorpus.TextFiles.class, spec.corpus());
    assertEquals(128, corpus.blockSize());
  }

  @Test
  void innovationsAreLaidOverTheReferenceBaseline() {
    ScalingSpec spec = scaling("ceg-small.yaml");
    ModelConfig baseline = model(spec, 0, "baseline");
    assertEquals(ModelConfig.Norm.NONE, baseline.norm(), "the presets' LayerNorm is switched off");
    assertEquals(ModelConfig.Position.LEARNED, baseline.position());
    assertEquals(ModelConfig.Attention.STANDARD, baseline.attention());
    assertEquals(baseline.heads(), baseline.kvHeads(), "MHA");
    assertEquals(ModelConfig.Mlp.DENSE, baseline.mlp());
    ModelConfig rope = model(spec, 1, "rope");
    assertEquals(ModelConfig.Position.ROPE, rope.position());
    assertEquals(ModelConfig.Norm.NONE, rope.norm(), "only the innovation's own switches differ");
    ModelConfig combined = model(spec, 1, "ln-rope-attention");
    assertEquals(List.of(ModelConfig.Norm.LAYERNORM, ModelConfig.Position.ROPE, ModelConfig.Attention.CHUNKED),
        List.of(combined.norm(), combined.position(), combined.attention()));
    assertEquals(1, model(spec, 0, "mqa").kvHeads());
    ModelConfig moe = model(spec, 0, "moe");
    assertEquals(List.of(ModelConfig.Mlp.MOE, 4, 1), List.of(moe.mlp(), moe.experts(), moe.topK()));
    ModelConfig sparse = model(spec, 1, "sparse");
    assertEquals(ModelConfig.Attention.SPARSE, sparse.attention());
    assertEquals(new BlockSparsity(16, 2, 1), sparse.sparsity());
    assertEquals(ModelConfig.Norm.NONE, sparse.norm());
    assertEquals(ModelConfig.Norm.LAYERNORM, sparse.finalNorm(), "the final norm stays, as the reference's ln_f");
  }

  @Test
  void sparseSettingsNeedSparseAttentionAndValidValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> scaling("ceg-small.yaml", "innovations.rope.sparse_block_size=8",
            "innovations.sparse.sparse_local_blocks=0"));
    assertTrue(e.getMessage().contains("innovations.rope: at preset tiny: model.sparse_*: the block-sparse"
        + " settings need attention=sparse"), e.getMessage());
    assertTrue(e.getMessage().contains("innovations.sparse.sparse_local_blocks:"), e.getMessage());
  }

  @Test
  void anInnovationSwitchesTheMlpToSwiGlu() {
    ScalingSpec spec = scaling("ceg-small.yaml", "innovations.rope.mlp=swiglu");
    assertEquals(ModelConfig.Mlp.SWIGLU, model(spec, 1, "rope").mlp());
    assertEquals(ModelConfig.Mlp.DENSE, model(spec, 1, "baseline").mlp());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> scaling("ceg-small.yaml", "innovations.rope.mlp=moe"));
    assertTrue(e.getMessage().contains("model.mlp: moe is chosen with experts and top_k"), e.getMessage());
  }

  private static ModelConfig model(ScalingSpec spec, int size, String innovation) {
    return spec.model(size, spec.innovations().stream().filter(i -> i.name().equals(innovation)).findFirst()
        .orElseThrow()).resolve(65);
  }

  @Test
  void thePaperStudyLeavesBlocksToEachPreset() {
    ScalingSpec spec = scaling("ceg-paper.yaml");
    assertEquals(List.of("ref-compact", "ref-full"), spec.presets());
    ModelConfig full = model(spec, 1, "baseline");
    assertEquals(List.of(10, 12, 768, 1024), List.of(full.layers(), full.heads(), full.width(), full.contextLength()));
    assertEquals(0.4f, full.dropout(), "the preset's dropout, as the reference's full config");
    assertEquals(0.2f, model(spec, 0, "baseline").dropout());
    assertEquals(BlockSparsity.REFERENCE, model(spec, 0, "sparse").sparsity());
    assertNull(spec.corpus().blockSize());
    assertEquals(50_000, spec.lm().steps());
  }

  @Test
  void theWorldsTextNeedsNoFiles() {
    ScalingSpec spec = scaling("ceg-small.yaml", "data={world: {seed: 3, rows: 500}}");
    ScalingCorpus.WorldText world = assertInstanceOf(ScalingCorpus.WorldText.class, spec.corpus());
    assertEquals(3, world.world().seed());
    assertEquals(500, world.rows());
  }

  @Test
  void aBudgetSplitReadOfAScalingSpecSaysWhy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SweepSpecReader.read(CheckedInSweeps.tree("ceg-small.yaml"), "ceg-small.yaml"));
    assertTrue(e.getMessage().contains("pipeline: 'scaling'"), e.getMessage());
  }

  @Test
  void listsEveryErrorOfASpecAtOnce() {
    JsonNode tree = YamlSpecs.parse("""
        pipeline: scaling
        colour: blue
        data: {corpus: {paths: [], test_fraction: 0}}
        grid: {seeds: [1, 1], presets: [small-cpu, tiny]}
        baseline: baseline
        innovations:
          baseline: {norm: none, position: learned}
          gqa: {kv_heads: 3}
          moe: {experts: 4}
          typo: {nrom: rmsnorm}
        model: {norm: layernorm}
        lm: {steps: 20, warmup_steps: 2, eval_every: 10, seed: 4, lrr: 1, lora: {r: 4, alpha: 4, targets: all-linear}}
        ceg: {confidence: 1.5, smoothing: {kind: gaussian}}
        execution: {training_slots: 0}
        """);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SweepSpecReader.load(tree, "bad.yaml"));
    String message = e.getMessage();
    List<String> fields = List.of("bad.yaml", "colour:", "data.corpus.paths:", "data.corpus.test_fraction:",
        "grid.seeds[1]:", "grid.presets[1]:", "innovations.gqa: at preset", "innovations.moe:",
        "innovations.typo.nrom:", "model.norm:", "lm.seed:", "lm.lrr:", "lm.lora:", "lm.eval_every:", "ceg.confidence:",
        "ceg.smoothing.kind:", "execution.training_slots:");
    for (String field : fields) {
      assertTrue(message.contains(field), "missing " + field + " in:\n" + message);
    }
  }

  @Test
  void theBaselineMustBeOneOfTheSets() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> scaling("ceg-small.yaml", "baseline=gpt2", "data.corpus.block_size=200"));
    assertTrue(e.getMessage().contains("baseline: 'gpt2' is not one of the innovations"), e.getMessage());
    assertFalse(e.getMessage().contains("block_size"), "model checks need a known baseline:\n" + e.getMessage());
    IllegalArgumentException block = assertThrows(IllegalArgumentException.class,
        () -> scaling("ceg-small.yaml", "data.corpus.block_size=200"));
    assertTrue(block.getMessage().contains("data.*.block_size:"), block.getMessage());
  }
}
