package io.stagewise.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.data.BatchStream;
import io.stagewise.trainer.data.BatchWidth;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.data.ShuffledBatches;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.TrainableParameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batches packed only as wide as their longest row train exactly as batches padded to the context: the same
 * loss, gradient norm and parameters at every step, to float tolerance (the shapes differ, so the kernels may
 * sum in another order).
 */
class BatchWidthTrainingTest {

  private static final int STEPS = 6;
  private static final int WIDTH = TinyRuns.CONTEXT + 1;

  @BeforeAll
  static void oneThread() {
    Engine.getInstance();
    JniUtils.setNumThreads(1);
  }

  @Test
  void narrowBatchesFollowThePaddedTrainingCurve() {
    // 4 to 11 tokens: every batch of 8 fits in 12 positions (multiple of 4) of the context's 16.
    TokenSequences rows = TinyRuns.rows(48, 3, 4, 11);
    ModelConfig rope = TinyRuns.model(0f).withPosition(ModelConfig.Position.ROPE);
    for (ModelConfig model : List.of(TinyRuns.model(0f), rope)) {
      Curve padded = train(model, new ShuffledBatches(rows, 8, WIDTH, TinyRuns.PAD, 11, DataPosition.START));
      Curve narrow = train(model, new ShuffledBatches(rows, 8, BatchWidth.longestRow(WIDTH, 4), TinyRuns.PAD, 11,
          DataPosition.START));

      assertTrue(narrow.widest < WIDTH, "every batch is narrower than the context: " + narrow.widest);
      for (int s = 0; s < STEPS; s++) {
        assertEquals(padded.losses.get(s), narrow.losses.get(s), 1e-5 * padded.losses.get(s), "loss, step " + s);
        assertEquals(padded.gradNorms.get(s), narrow.gradNorms.get(s), 1e-4 * padded.gradNorms.get(s),
            "gradient norm, step " + s);
      }
      for (int p = 0; p < padded.parameters.size(); p++) {
        float[] a = padded.parameters.get(p);
        float[] b = narrow.parameters.get(p);
        for (int i = 0; i < a.length; i++) {
          assertEquals(a[i], b[i], 1e-5f, "parameter " + p + "[" + i + "]");
        }
      }
    }
  }

  private record Curve(List<Double> losses, List<Double> gradNorms, List<float[]> parameters, int widest) {
  }

  private static Curve train(ModelConfig modelConfig, BatchStream batches) {
    TrainConfig config = TinyRuns.config(STEPS);
    List<Double> losses = new ArrayList<>();
    List<Double> gradNorms = new ArrayList<>();
    int widest = 0;
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(modelConfig, manager, 5);
      try (AdamW optimizer = new AdamW(config.adamW(), TrainingLoop.trainableParameters(model), manager)) {
        TrainStep step = new TrainStep(model, config.objective().create(), optimizer, manager, 2, config.clipNorm(),
            config.seed());
        for (int s = 1; s <= STEPS; s++) {
          TokenBatch batch = batches.next();
          widest = Math.max(widest, batch.width());
          TrainStep.Result result = step.run(batch, s, config.schedule().lr(s));
          losses.add(result.loss());
          gradNorms.add(result.gradNorm());
        }
        List<float[]> parameters = new ArrayList<>();
        for (TrainableParameter p : optimizer.parameters()) {
          parameters.add(p.array().toFloatArray());
        }
        return new Curve(losses, gradNorms, parameters, widest);
      }
    }
  }
}
