package io.stagewise.trainer.bench;

import io.stagewise.trainer.model.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The matrix products one training step of the benchmark's GPT baseline runs (dense MLP, multi-head
 * attention with a materialised score matrix, LM head), forward and backward, as (batch, m, k, n) products
 * with their count per step. Both sides time exactly this set, so "GEMM rate at the model's shapes" is the rate
 * a perfect trainer would reach on its matmuls: total FLOPs over the summed time of the products.
 *
 * <p>A linear layer x(N × in)·Wᵀ has two backward products, dX = dY·W (N × out × in) and dW = dYᵀ·X
 * (out × N × in); the attention products QKᵀ and PV each have two as well. The embedding gathers and the
 * LM head's tied weight add no product of their own.
 */
record StepMatmuls(List<Product> products) {

  /** {@code count} products of (batch × m × k)·(batch × k × n) per step. */
  record Product(long batch, long m, long k, long n, int count) {
    double flops() {
      return 2.0 * batch * m * k * n * count;
    }

    String name() {
      return (batch > 1 ? batch + "x" : "") + m + "x" + k + "x" + n;
    }
  }

  static StepMatmuls of(ModelConfig model, long batch) {
    long tokens = batch * model.contextLength();
    long w = model.width();
    long t = model.contextLength();
    long d = model.headDim();
    long heads = batch * model.heads();
    int layers = model.layers();
    List<Product> products = new ArrayList<>();
    linear(products, tokens, w, 3 * w, layers);
    linear(products, tokens, w, w, layers);
    linear(products, tokens, w, model.mlpHidden(), layers);
    linear(products, tokens, model.mlpHidden(), w, layers);
    linear(products, tokens, w, model.vocabSize(), 1);
    // scores = Q·Kᵀ (T×d)(d×T) and dP = dO·Vᵀ the same; dQ = dS·K, dK = dSᵀ·Q, out = P·V and dV = Pᵀ·dO
    // are (T×T)(T×d).
    products.add(new Product(heads, t, d, t, 2 * layers));
    products.add(new Product(heads, t, t, d, 4 * layers));
    return new StepMatmuls(merged(products));
  }

  /** Equal shapes as one product with the summed count, so each shape is timed once. */
  private static List<Product> merged(List<Product> products) {
    Map<List<Long>, Integer> counts = new LinkedHashMap<>();
    for (Product p : products) {
      counts.merge(List.of(p.batch(), p.m(), p.k(), p.n()), p.count(), Integer::sum);
    }
    return counts.entrySet().stream().map(e -> new Product(e.getKey().get(0), e.getKey().get(1),
        e.getKey().get(2), e.getKey().get(3), e.getValue())).toList();
  }

  private static void linear(List<Product> products, long tokens, long in, long out, int count) {
    products.add(new Product(1, tokens, in, out, count));
    products.add(new Product(1, tokens, out, in, count));
    products.add(new Product(1, out, tokens, in, count));
  }

  double flops() {
    return products.stream().mapToDouble(Product::flops).sum();
  }

  /** The set for the peer's command line: {@code batch:m:k:n:count,...}. */
  String argument() {
    return products.stream().map(p -> p.batch() + ":" + p.m() + ":" + p.k() + ":" + p.n() + ":" + p.count())
        .collect(Collectors.joining(","));
  }
}
