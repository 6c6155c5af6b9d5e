import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.stagewise.trainer.model.precision.ScriptArchive;

/**
 * One bf16 check through DJL's PyTorch engine, named by the first argument; run by bench/bf16-probe/run.sh in
 * a JVM of its own, because a failing check terminates the JVM. Prints "ok ..." and exits 0 when the check
 * passes, "wrong ..." and exits 3 when it runs but gives a wrong answer.
 *
 * <p>The direct checks hand DJL a BFLOAT16 data type. The scripted checks never do: the bf16 casts happen
 * inside a TorchScript module that the trainer's {@link ScriptArchive} writes from source text, so DJL only
 * ever sees the module's fp32 inputs and outputs, while autograd still runs through the bf16 products.
 */
public final class Bf16Probe {
  private static final Shape INPUT = new Shape(8, 64);
  private static final Shape WEIGHT = new Shape(64, 64);

  public static void main(String[] args) {
    try (NDManager manager = NDManager.newBaseManager()) {
      manager.getEngine().setRandomSeed(7);
      String result = switch (args[0]) {
        case "zeros" -> manager.zeros(new Shape(2, 2), DataType.BFLOAT16).getDataType().toString();
        case "to_bf16_and_back" -> roundTrip(manager);
        case "bf16_matmul" -> {
          NDArray x = manager.randomNormal(WEIGHT).toType(DataType.BFLOAT16, false);
          yield x.matMul(x).getDataType().toString();
        }
        case "autograd_fp32_master" -> directAutograd(manager);
        case "scripted_matmul_autograd" -> scriptedMatMul(manager);
        case "scripted_attention_autograd" -> scriptedAttention(manager);
        case "scripted_gemm_rates" -> scriptedGemmRates(manager);
        default -> throw new IllegalArgumentException("unknown check " + args[0]);
      };
      System.out.println(result);
      System.exit(result.startsWith("wrong") ? 3 : 0);
    }
  }

  private static String roundTrip(NDManager manager) {
    NDArray x = manager.randomNormal(WEIGHT);
    NDArray back = x.toType(DataType.BFLOAT16, false).toType(DataType.FLOAT32, false);
    float error = back.sub(x).abs().max().getFloat();
    return verdict(error < 0.05f, "max_abs_error=" + error);
  }

  private static String directAutograd(NDManager manager) {
    NDArray weight = manager.randomNormal(WEIGHT);
    weight.setRequiresGradient(true);
    NDArray x = manager.randomNormal(INPUT);
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      NDArray y = x.toType(DataType.BFLOAT16, false).matMul(weight.toType(DataType.BFLOAT16, false));
      collector.backward(y.toType(DataType.FLOAT32, false).square().sum());
    }
    return "gradient=" + weight.getGradient().getDataType();
  }

  private static String scriptedMatMul(NDManager manager) {
    String body = "    return torch.to(torch.matmul(torch.to(a, 15), torch.to(b, 15)), 6)";
    PtSymbolBlock block = ScriptArchive.load(manager, "Bf16MatMul", "a: Tensor, b: Tensor", body);
    NDArray weight = manager.randomNormal(WEIGHT);
    weight.setRequiresGradient(true);
    NDArray x = manager.randomNormal(INPUT);
    NDArray y;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      y = block.forward(new ParameterStore(manager, false), new NDList(x, weight), true).singletonOrThrow();
      collector.backward(y.square().sum());
    }
    // d/dW sum((xW)^2) = x^T (2 xW), computed in fp32 as the reference.
    NDArray expected = x.transpose().matMul(x.matMul(weight).mul(2));
    NDArray gradient = weight.getGradient();
    float relative = gradient.sub(expected).norm().getFloat() / expected.norm().getFloat();
    boolean fp32 = y.getDataType() == DataType.FLOAT32 && gradient.getDataType() == DataType.FLOAT32;
    return verdict(fp32 && relative < 0.02f,
        "output=" + y.getDataType() + " gradient=" + gradient.getDataType() + " gradient_relative_error=" + relative);
  }

  private static String scriptedAttention(NDManager manager) {
    String body = String.join("\n",
        "    scores = torch.matmul(torch.to(q, 15), torch.transpose(torch.to(k, 15), -2, -1))",
        "    probabilities = torch.softmax(torch.add(torch.to(scores, 6), mask), -1)",
        "    return torch.to(torch.matmul(torch.to(probabilities, 15), torch.to(v, 15)), 6)");
    PtSymbolBlock block =
        ScriptArchive.load(manager, "Bf16Attention", "q: Tensor, k: Tensor, v: Tensor, mask: Tensor", body);
    Shape heads = new Shape(2, 4, 16, 8);
    NDArray q = manager.randomNormal(heads);
    NDArray k = manager.randomNormal(heads);
    NDArray v = manager.randomNormal(heads);
    q.setRequiresGradient(true);
    NDArray mask = manager.zeros(new Shape(16, 16));
    NDArray y;
    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
      y = block.forward(new ParameterStore(manager, false), new NDList(q, k, v, mask), true).singletonOrThrow();
      collector.backward(y.sum());
    }
    NDArray expected = q.matMul(k.transpose(0, 1, 3, 2)).softmax(-1).matMul(v);
    float error = y.sub(expected).abs().max().getFloat();
    DataType gradient = q.getGradient().getDataType();
    return verdict(y.getDataType() == DataType.FLOAT32 && gradient == DataType.FLOAT32 && error < 0.1f,
        "output=" + y.getDataType() + " gradient=" + gradient + " max_abs_error=" + error);
  }

  /**
   * fp32 matMul against the scripted bf16 product (its casts included, as autocast pays them) at the matmul
   * shapes of one small-cpu training step (batch 16 x context 128, width 128, 4 heads, vocabulary 260) and at
   * 2048^3; best of three alternating rounds, in GFLOP per wall second and per process CPU second (the second
   * is what a loaded machine distorts least).
   */
  private static String scriptedGemmRates(NDManager manager) {
    String body = "    return torch.to(torch.matmul(torch.to(a, 15), torch.to(b, 15)), 6)";
    PtSymbolBlock block = ScriptArchive.load(manager, "Bf16MatMul", "a: Tensor, b: Tensor", body);
    long[][] shapes = { // batch, m, k, n
      {1, 2048, 128, 384}, {1, 2048, 128, 128}, {1, 2048, 128, 512}, {1, 2048, 512, 128}, {1, 2048, 128, 260},
      {64, 128, 32, 128}, {64, 128, 128, 32}, {1, 2048, 2048, 2048}};
    StringBuilder line = new StringBuilder("ok GFLOP/s wall|per-CPU-second fp32 -> bf16:");
    for (long[] shape : shapes) {
      NDArray a = manager.randomNormal(new Shape(shape[0], shape[1], shape[2]));
      NDArray b = manager.randomNormal(new Shape(shape[0], shape[2], shape[3]));
      double flops = 2.0 * shape[0] * shape[1] * shape[2] * shape[3];
      double[][] best = new double[2][2];
      for (int round = 0; round < 6; round++) {
        int mode = round % 2;
        double[] rate = rate(flops, () -> mode == 0 ? a.matMul(b)
            : block.forward(new ParameterStore(manager, false), new NDList(a, b), false).singletonOrThrow());
        best[mode][0] = Math.max(best[mode][0], rate[0]);
        best[mode][1] = Math.max(best[mode][1], rate[1]);
      }
      line.append(String.format(" %s %.1f|%.1f -> %.1f|%.1f;", shapeName(shape), best[0][0], best[0][1],
          best[1][0], best[1][1]));
    }
    return line.toString();
  }

  private static double[] rate(double flops, java.util.function.Supplier<NDArray> product) {
    var os = (com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long wallStart = System.nanoTime();
    long cpuStart = os.getProcessCpuTime();
    int reps = 0;
    while (System.nanoTime() - wallStart < 1_000_000_000L) {
      product.get().close(); // libtorch's CPU operators return when their result is complete
      reps++;
    }
    double wall = (System.nanoTime() - wallStart) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
    return new double[] {flops * reps / wall / 1e9, flops * reps / cpu / 1e9};
  }

  private static String shapeName(long[] shape) {
    return (shape[0] > 1 ? shape[0] + "x" : "") + shape[1] + "x" + shape[2] + "x" + shape[3];
  }

  private static String verdict(boolean passed, String detail) {
    return (passed ? "ok " : "wrong ") + detail;
  }
}
