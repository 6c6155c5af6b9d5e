package io.stagewise.trainer.train.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Position;
import io.stagewise.trainer.train.Objective;
import io.stagewise.trainer.train.TinyRuns;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Packing rows together changes the batch's shape, never its loss, its targets or its counted compute. */
class PackedBatchTest {

  private static final int WIDTH = TinyRuns.CONTEXT + 1;
  private static final int[] ROWS = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  private static final NDIndex WITHOUT_LAST = new NDIndex(":, :-1");
  private static NDManager manager;
  private static TokenSequences data;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
    data = TinyRuns.rows(ROWS.length, 7, 2, 9);
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static Stream<Arguments> cases() {
    ModelConfig learned = TinyRuns.model(0f);
    ModelConfig rope = learned.withPosition(Position.ROPE);
    return Stream.of(Arguments.of("lm/learned", learned, new LmObjective()),
        Arguments.of("sft/learned", learned, new SftObjective()),
        Arguments.of("lm/rope", rope, new LmObjective()),
        Arguments.of("sft/rope", rope, new SftObjective()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void aPackedBatchHasTheLossOfItsRowsUnpacked(String name, ModelConfig config, Objective objective) {
    GptModel model = GptModel.create(config, manager, 3);
    TokenBatch unpacked = TokenBatch.pack(data, ROWS, WIDTH, TinyRuns.PAD);
    TokenBatch packed = TokenBatch.packTogether(data, ROWS, WIDTH, TinyRuns.PAD, 1);
    assertTrue(packed.rows() < unpacked.rows(), name + ": nothing was packed together");
    assertEquals(objective.targets(unpacked), objective.targets(packed), name + ": targets differ");
    double expected = lossSum(model, objective, unpacked);
    assertEquals(expected, lossSum(model, objective, packed), 1e-5 * Math.abs(expected), name);
  }

  @Test
  void tokensAndFlopsCountTheRowsNotThePadding() {
    ModelConfig config = TinyRuns.model(0f);
    TokenBatch packed = TokenBatch.packTogether(data, ROWS, WIDTH, TinyRuns.PAD, 1);
    // Two empty contexts more (padding only) must count nothing more.
    TokenBatch padded = TokenBatch.packTogether(data, ROWS, WIDTH, TinyRuns.PAD, packed.rows() + 2);
    long tokens = 0;
    long flops = 0;
    for (int row : ROWS) {
      int inputs = data.inputIds()[row].length - 1;
      tokens += inputs;
      flops += FlopCounter.trainingFlops(config, 1, inputs);
    }
    for (TokenBatch batch : new TokenBatch[] {packed, padded}) {
      assertEquals(tokens, batch.computedTokens());
      assertEquals(flops, FlopCounter.trainingFlops(config, batch.sequenceInputs()));
    }
    assertEquals(packed.rows() + 2, padded.rows());
    assertTrue(tokens < (long) packed.rows() * packed.sequenceLength(), "the packed batch has no padding");
  }

  @Test
  void packsAreTheSameWhateverSliceAWorkerTakes() {
    TokenBatch whole = TokenBatch.packTogether(data, ROWS, WIDTH, TinyRuns.PAD, 2);
    assertEquals(0, whole.rows() % 2);
    int half = whole.rows() / 2;
    TokenBatch first = whole.slice(0, half);
    TokenBatch second = whole.slice(half, whole.rows());
    assertEquals(whole.presentTargets(), first.presentTargets() + second.presentTargets());
    assertEquals(whole.computedTokens(), first.computedTokens() + second.computedTokens());
    TokenBatch again = TokenBatch.packTogether(data, ROWS, WIDTH, TinyRuns.PAD, 2);
    assertArrayEquals(whole.segments().ids(), again.segments().ids());
    assertArrayEquals(whole.tokens(manager).toIntArray(), again.tokens(manager).toIntArray());
  }

  /** The objective's summed loss of a batch, through the packed forward when the batch is packed. */
  private static double lossSum(GptModel model, Objective objective, TokenBatch batch) {
    try (NDManager step = manager.newSubManager()) {
      ParameterStore store = new ParameterStore(step, false);
      NDArray inputs = batch.tokens(step).get(WITHOUT_LAST);
      NDArray logits = batch.segments() == null
          ? model.forward(store, new NDList(inputs), false).get(0)
          : model.forwardPacked(store, inputs, batch.segments(), false).get(0);
      return objective.targetLossSum(logits, batch, step).getFloat();
    }
  }
}
