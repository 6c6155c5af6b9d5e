package io.stagewise.ceg;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A run's evaluation loss against steps, cumulative training FLOPs and (when recorded) wall-clock seconds, one
 * {@link Checkpoint} per evaluation, in step order. Immutable.
 *
 * <p>"First reaches L" is read off the curve's monotone envelope (the running minimum of its losses): a curve
 * that dips below L and rises again has reached L at the dip. Between checkpoints the envelope is
 * interpolated linearly in log–log space, where loss curves are close to straight lines.
 */
public final class LossCurve {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Checkpoint> points;

  private LossCurve(List<Checkpoint> points) {
    this.points = List.copyOf(points);
  }

  /**
   * A curve of {@code points}: at least one, steps strictly increasing, FLOPs positive and increasing,
   * losses positive and finite; seconds either all NaN or all positive and increasing.
   */
  public static LossCurve of(List<Checkpoint> points) {
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a loss curve needs at least one evaluation");
    }
    boolean timed = !Double.isNaN(points.get(0).seconds());
    for (int i = 0; i < points.size(); i++) {
      Checkpoint p = points.get(i);
      Checkpoint prev = i == 0 ? null : points.get(i - 1);
      require(p.loss() > 0 && Double.isFinite(p.loss()), i, "loss must be positive and finite, got " + p.loss());
      require(p.flops() > 0 && Double.isFinite(p.flops()), i, "flops must be positive and finite, got " + p.flops());
      require(p.step() > 0, i, "step must be positive, got " + p.step());
      require(prev == null || p.step() > prev.step(), i, "steps must increase, got " + p.step() + " after "
          + (prev == null ? "" : prev.step()));
      require(prev == null || p.flops() >= prev.flops(), i, "flops must not decrease");
      require(timed == !Double.isNaN(p.seconds()), i, "seconds must be recorded at every evaluation or at none");
      require(!timed || (p.seconds() > 0 && (prev == null || p.seconds() >= prev.seconds())), i,
          "seconds must be positive and not decrease, got " + p.seconds());
    }
    return new LossCurve(points);
  }

  private static void require(boolean ok, int index, String message) {
    if (!ok) {
      throw new IllegalArgumentException("evaluation " + index + ": " + message);
    }
  }

  /**
   * The curve in a run's {@code metrics.jsonl} lines ({@code origin} names the file in errors). Eval lines give
   * step, FLOPs and loss. Seconds come from an eval line's own {@code seconds} field when present; otherwise
   * they are rebuilt from the train lines' {@code tokens_per_s} (throughput since the previous logged step),
   * so they count training time only, not the evaluations.
   */
  public static LossCurve fromMetrics(List<String> lines, String origin) {
    List<JsonNode> records = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        records.add(JSON.readTree(lines.get(i)));
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(origin + " line " + (i + 1) + ": not JSON: " + e.getOriginalMessage());
      }
    }
    return fromRecords(records, origin);
  }

  /** As {@link #fromMetrics}, from already parsed records (e.g. {@code MetricsLog.read}). */
  public static LossCurve fromRecords(List<JsonNode> records, String origin) {
    WallClock clock = new WallClock();
    List<Checkpoint> points = new ArrayList<>();
    List<JsonNode> evals = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      JsonNode r = records.get(i);
      String kind = r.path("kind").asText("");
      if (kind.equals("train")) {
        clock.add(number(r, "tokens", origin, i), r.path("tokens_per_s").asDouble(Double.NaN));
      } else if (kind.equals("eval")) {
        evals.add(r);
      }
    }
    for (int i = 0; i < evals.size(); i++) {
      JsonNode e = evals.get(i);
      double seconds = e.hasNonNull("seconds") ? e.get("seconds").asDouble()
          : clock.secondsAt(e.path("tokens").asDouble(Double.NaN));
      points.add(new Checkpoint((long) number(e, "step", origin, i), number(e, "flops", origin, i), seconds,
          number(e, "loss", origin, i)));
    }
    if (points.stream().anyMatch(p -> Double.isNaN(p.seconds()))) {
      points.replaceAll(p -> new Checkpoint(p.step(), p.flops(), Double.NaN, p.loss()));
    }
    try {
      return of(points);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(origin + ": " + ex.getMessage(), ex);
    }
  }

  private static double number(JsonNode r, String key, String origin, int index) {
    JsonNode n = r.get(key);
    if (n == null || !n.isNumber()) {
      throw new IllegalArgumentException(origin + ": " + r.path("kind").asText() + " record " + index + ": field "
          + key + " must be a number, got " + n);
    }
    return n.asDouble();
  }

  /** Cumulative training seconds against cumulative tokens, rebuilt from the train lines' throughput. */
  private static final class WallClock {
    private final List<double[]> marks = new ArrayList<>(List.<double[]>of(new double[] {0, 0}));
    private boolean broken;

    void add(double tokens, double tokensPerSecond) {
      double[] last = marks.get(marks.size() - 1);
      if (!(tokensPerSecond > 0) || !Double.isFinite(tokensPerSecond) || tokens < last[0]) {
        broken = true;
        return;
      }
      marks.add(new double[] {tokens, last[1] + (tokens - last[0]) / tokensPerSecond});
    }

    double secondsAt(double tokens) {
      if (broken || Double.isNaN(tokens) || marks.size() < 2) {
        return Double.NaN;
      }
      for (int i = 1; i < marks.size(); i++) {
        double[] a = marks.get(i - 1);
        double[] b = marks.get(i);
        if (tokens <= b[0]) {
          return b[0] == a[0] ? b[1] : a[1] + (tokens - a[0]) / (b[0] - a[0]) * (b[1] - a[1]);
        }
      }
      return Double.NaN; // evaluated after the last logged step: no throughput to date it
    }
  }

  /** The pointwise mean of runs that differ only in their seed (same evaluation steps). */
  public static LossCurve mean(List<LossCurve> seeds) {
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("no runs to average");
    }
    LossCurve first = seeds.get(0);
    for (LossCurve c : seeds) {
      if (!Arrays.equals(c.steps(), first.steps())) {
        throw new IllegalArgumentException("runs to average must be evaluated at the same steps: "
            + Arrays.toString(first.steps()) + " vs " + Arrays.toString(c.steps()));
      }
    }
    List<Checkpoint> out = new ArrayList<>();
    int n = seeds.size();
    for (int i = 0; i < first.size(); i++) {
      double flops = 0;
      double seconds = 0;
      double loss = 0;
      for (LossCurve c : seeds) {
        Checkpoint p = c.points.get(i);
        flops += p.flops() / n;
        seconds += p.seconds() / n;
        loss += p.loss() / n;
      }
      out.add(new Checkpoint(first.points.get(i).step(), flops, seconds, loss));
    }
    return of(out);
  }

  /** This curve with its losses smoothed by {@code smoothing}. */
  public LossCurve smoothed(Smoothing smoothing) {
    double[] loss = smoothing.apply(steps(), losses());
    List<Checkpoint> out = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      Checkpoint p = points.get(i);
      out.add(new Checkpoint(p.step(), p.flops(), p.seconds(), loss[i]));
    }
    return new LossCurve(out);
  }

  /** The running minimum of the losses: the best loss reached so far at each checkpoint. */
  public LossCurve envelope() {
    List<Checkpoint> out = new ArrayList<>();
    double best = Double.POSITIVE_INFINITY;
    for (Checkpoint p : points) {
      best = Math.min(best, p.loss());
      out.add(new Checkpoint(p.step(), p.flops(), p.seconds(), best));
    }
    return new LossCurve(out);
  }

  /**
   * Where on {@code axis} the envelope first reaches {@code loss}: log–log interpolated between the last
   * checkpoint above it and the first at or below it; the first checkpoint's coordinate when that one is
   * already at or below (the crossing lies at or before it); NaN when the curve never gets there.
   */
  public double firstReaching(double loss, Axis axis) {
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < size(); i++) {
      double previous = best;
      best = Math.min(best, points.get(i).loss());
      if (best <= loss) {
        if (i == 0) {
          return points.get(0).at(axis);
        }
        double x0 = points.get(i - 1).at(axis);
        double x1 = points.get(i).at(axis);
        double t = (Math.log(loss) - Math.log(previous)) / (Math.log(best) - Math.log(previous));
        return Math.exp(Math.log(x0) + t * (Math.log(x1) - Math.log(x0)));
      }
    }
    return Double.NaN;
  }

  /** Index of the first checkpoint whose loss is at or below {@code loss}, or -1 (the reference's crossing). */
  public int firstIndexAtOrBelow(double loss) {
    for (int i = 0; i < size(); i++) {
      if (points.get(i).loss() <= loss) {
        return i;
      }
    }
    return -1;
  }

  /** Whether every checkpoint carries wall-clock seconds. */
  public boolean timed() {
    return !Double.isNaN(points.get(0).seconds());
  }

  public List<Checkpoint> points() {
    return points;
  }

  public int size() {
    return points.size();
  }

  public Checkpoint last() {
    return points.get(size() - 1);
  }

  /** The lowest loss on the curve. */
  public double bestLoss() {
    return Arrays.stream(losses()).min().orElseThrow();
  }

  /** The loss of the first checkpoint. */
  public double firstLoss() {
    return points.get(0).loss();
  }

  public double[] losses() {
    return points.stream().mapToDouble(Checkpoint::loss).toArray();
  }

  public double[] coordinates(Axis axis) {
    return points.stream().mapToDouble(p -> p.at(axis)).toArray();
  }

  long[] steps() {
    return points.stream().mapToLong(Checkpoint::step).toArray();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LossCurve other && points.equals(other.points);
  }

  @Override
  public int hashCode() {
    return points.hashCode();
  }

  @Override
  public String toString() {
    return "LossCurve" + points;
  }
}
