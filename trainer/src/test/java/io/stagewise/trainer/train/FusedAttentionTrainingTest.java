package io.stagewise.trainer.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import io.stagewise.trainer.data.TokenSequences;
import io.stagewise.trainer.model.ModelConfig;
import io.stagewise.trainer.model.ModelConfig.Attention;
import io.stagewise.trainer.model.ModelConfig.Position;
import io.stagewise.trainer.model.precision.Precision;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code attention: fused} trains as {@code standard} does: from the same seed and batches (padded rows,
 * grouped heads, RoPE) the loss curves agree to {@link #TOLERANCE} at every step. The kernels compute the same
 * function and differ only in summation order.
 */
class FusedAttentionTrainingTest {

  private static final int STEPS = 40;
  /** Relative loss gap allowed at every step (measured: 2.0e-7 at the widest step of 40). */
  private static final double TOLERANCE = 1e-5;

  @BeforeAll
  static void oneThread() {
    Engine.getInstance();
    JniUtils.setNumThreads(1);
  }

  @Test
  void fusedFollowsTheStandardLossCurve() {
    ModelConfig model = TinyRuns.model(0f).withKvHeads(2).withPosition(Position.ROPE);
    TokenSequences rows = TinyRuns.rows(64, 3);
    List<Double> standard = TinyRuns.losses(model, Precision.FP32, rows, STEPS, optimizer -> { });
    List<Double> fused = TinyRuns.losses(model.withAttention(Attention.FUSED), Precision.FP32, rows, STEPS,
        optimizer -> { });
    double widest = TinyRuns.widestRelativeGap(standard, fused);
    assertTrue(widest <= TOLERANCE, "fused loss within " + TOLERANCE + " of standard's at every step, widest gap "
        + widest + "; standard " + standard + ", fused " + fused);
    assertTrue(standard.get(STEPS - 1) < 0.7 * standard.get(0), "the tiny model learns: " + standard);
  }
}
