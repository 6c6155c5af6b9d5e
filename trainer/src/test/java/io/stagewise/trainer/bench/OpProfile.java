package io.stagewise.trainer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Self time by operator from the engine profiler's Chrome trace ({@code JniUtils.stopProfile}): each complete
 * event's duration minus that of the events nested in it on the same thread. Summed over operators and set
 * against the wall time of the profiled steps, it also says how much of a step is spent outside libtorch's
 * operators (Java, JNI crossings, allocation, garbage collection).
 */
final class OpProfile {

  /** Operators below this share of wall time are summed into one line. */
  private static final double SHOWN = 0.005;
  /** The matrix-product kernels (self time, so wrappers such as aten::matmul count as their own overhead). */
  private static final Set<String> MATMULS = Set.of("aten::mm", "aten::bmm", "aten::addmm", "aten::baddbmm",
      "aten::addmv", "aten::mv", "aten::dot");

  private final Map<String, double[]> byOperator; // name → {self micros, calls}
  private final Map<String, Double> threadBusyMicros;

  private OpProfile(Map<String, double[]> byOperator, Map<String, Double> threadBusyMicros) {
    this.byOperator = byOperator;
    this.threadBusyMicros = threadBusyMicros;
  }

  static OpProfile read(Path trace) throws IOException {
    JsonNode root = new ObjectMapper().readTree(trace.toFile());
    JsonNode events = root.isArray() ? root : root.path("traceEvents");
    Map<String, List<JsonNode>> byThread = new HashMap<>();
    for (JsonNode e : events) {
      if (e.has("dur") && e.has("ts")) {
        byThread.computeIfAbsent(e.path("tid").asText(), t -> new ArrayList<>()).add(e);
      }
    }
    Map<String, double[]> byOperator = new HashMap<>();
    Map<String, Double> busy = new HashMap<>();
    for (Map.Entry<String, List<JsonNode>> thread : byThread.entrySet()) {
      busy.put(thread.getKey(), selfTimes(thread.getValue(), byOperator));
    }
    return new OpProfile(byOperator, busy);
  }

  /** Adds each event's self time to its operator; returns the thread's time inside top-level events. */
  private static double selfTimes(List<JsonNode> events, Map<String, double[]> byOperator) {
    events.sort(Comparator.comparingDouble((JsonNode e) -> e.get("ts").asDouble())
        .thenComparing(e -> -e.get("dur").asDouble()));
    Deque<double[]> open = new ArrayDeque<>(); // {end, self-time slot index}
    List<double[]> slots = new ArrayList<>();
    List<String> names = new ArrayList<>();
    double topLevel = 0;
    for (JsonNode e : events) {
      double start = e.get("ts").asDouble();
      double dur = e.get("dur").asDouble();
      while (!open.isEmpty() && open.peek()[0] <= start) {
        open.pop();
      }
      if (open.isEmpty()) {
        topLevel += dur;
      } else {
        slots.get((int) open.peek()[1])[0] -= dur;
      }
      slots.add(new double[] {dur});
      names.add(e.path("name").asText());
      open.push(new double[] {start + dur, slots.size() - 1});
    }
    for (int i = 0; i < slots.size(); i++) {
      double[] total = byOperator.computeIfAbsent(names.get(i), n -> new double[2]);
      total[0] += slots.get(i)[0];
      total[1] += 1;
    }
    return topLevel;
  }

  /**
   * Prints every operator whose self time is at least {@link #SHOWN} of wall time (then the rest as one
   * share), the matrix products' share against everything else, and the share spent outside operators.
   */
  void print(PrintStream out, double wallSeconds, int steps) {
    double wallMicros = wallSeconds * 1e6;
    double mainBusy = threadBusyMicros.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    out.printf(Locale.ROOT, "profile_steps=%d%n", steps);
    out.printf(Locale.ROOT, "profile_ms_per_step=%.2f%n", wallMicros / 1e3 / steps);
    out.printf(Locale.ROOT, "profile_fraction_outside_torch_ops=%.3f%n", Math.max(0, 1 - mainBusy / wallMicros));
    out.printf(Locale.ROOT, "profile_operator_calls_per_step=%.0f%n",
        byOperator.values().stream().mapToDouble(v -> v[1]).sum() / steps);
    double matmul = 0;
    double all = 0;
    double rest = 0;
    List<Map.Entry<String, double[]>> bySelfTime = byOperator.entrySet().stream()
        .sorted(Comparator.comparingDouble((Map.Entry<String, double[]> e) -> -e.getValue()[0])).toList();
    for (Map.Entry<String, double[]> e : bySelfTime) {
      double share = e.getValue()[0] / wallMicros;
      all += share;
      matmul += MATMULS.contains(e.getKey()) ? share : 0;
      if (share >= SHOWN) {
        out.printf(Locale.ROOT, "profile_op_%s=%.3f_of_wall,%.0f_calls_per_step,%.3f_ms_per_call%n",
            e.getKey().replaceAll("[^A-Za-z0-9_]+", "_"), share, e.getValue()[1] / steps,
            e.getValue()[0] / 1e3 / e.getValue()[1]);
      } else {
        rest += share;
      }
    }
    out.printf(Locale.ROOT, "profile_ops_each_below_%.3f_of_wall=%.3f_of_wall%n", SHOWN, rest);
    out.printf(Locale.ROOT, "profile_matmul_fraction_of_wall=%.3f%n", matmul);
    out.printf(Locale.ROOT, "profile_other_ops_fraction_of_wall=%.3f%n", all - matmul);
  }
}
