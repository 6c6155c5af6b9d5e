package io.stagewise.trainer.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Norm;
import io.stagewise.trainer.model.ModelConfig.Position;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The model can learn: a few Adam steps memorise one batch of random sequences. */
class OverfitTest {

  private static final int BATCH = 4;
  private static final int STEPS = 12;

  @ParameterizedTest
  @ValueSource(strings = {"baseline", "every-switch"})
  void memorisesOneBatch(String variant) {
    ModelConfig config = variant.equals("baseline") ? ModelFixtures.tiny().withSize(2, 4, 32)
        : ModelFixtures.tiny().withSize(2, 4, 32).withNorm(Norm.RMSNORM).withPosition(Position.ROPE)
            .withKvHeads(2).withAttention(Attention.CHUNKED).withMoe(4, 2);
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(config, manager, 1);
      Optimizer adam = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-2f)).build();
      int[] sequence = ModelFixtures.randomTokens(77, BATCH * (STEPS + 1));
      float first = Float.NaN;
      float last = Float.NaN;
      for (int step = 0; step < 150; step++) {
        try (NDManager scope = manager.newSubManager()) {
          NDArray all = scope.create(sequence, new Shape(BATCH, STEPS + 1));
          NDArray inputs = all.get(new NDIndex(":, :-1"));
          NDArray targets = all.get(new NDIndex(":, 1:")).toType(DataType.INT64, false);
          try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDList out = model.forward(new ParameterStore(scope, false), new NDList(inputs), true);
            NDArray nll = out.get(0).logSoftmax(2).gather(targets.expandDims(2), 2).mean().neg();
            collector.backward(nll.add(out.get(1)));
            last = nll.getFloat();
            first = step == 0 ? last : first;
          }
          for (Parameter p : model.getParameters().values()) {
            NDArray gradient = p.getArray().getGradient();
            gradient.attach(scope);
            adam.update(p.getId(), p.getArray(), gradient);
          }
        }
      }
      assertTrue(first > 3f, variant + ": initial loss " + first + " should be near ln(vocab)");
      assertTrue(last < 0.1f, variant + ": loss only went from " + first + " to " + last);
    }
  }
}
