package io.stagewise.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.checkpoint.CheckpointState;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.data.BatchStream;
import io.stagewise.trainer.data.TokenBatch;
import io.stagewise.trainer.flops.FlopCounter;
import io.stagewise.trainer.metrics.EvalRecord;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.metrics.TrainRecord;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.LrSchedule;
import io.stagewise.trainer.optim.TrainableParameter;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * Trains a model from a {@link BatchStream}: the schedule, periodic held-out evaluation, metrics lines and the
 * console line, and checkpoints. The optimizer is created once, with the loop, and lives as long as it.
 *
 * <p>As one worker of a data-parallel group (see {@link Worker}) every worker draws the same global batches and
 * applies the same updates; only rank 0 evaluates and writes metrics and checkpoints, and the others wait for
 * each checkpoint at a barrier, so that no worker runs ahead of the state a restart would resume from.
 */
public final class TrainingLoop implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final GptModel model;
  private final TrainConfig config;
  private final NDManager manager;
  private final Objective objective;
  private final AdamW optimizer;
  private final TrainStep trainStep;
  private final LrSchedule schedule;
  private final Worker worker;

  /** A single local worker. */
  public TrainingLoop(GptModel model, TrainConfig config, NDManager manager) {
    this(model, config, manager, Worker.local());
  }

  public TrainingLoop(GptModel model, TrainConfig config, NDManager manager, Worker worker) {
    this.model = model;
    this.worker = worker;
    this.config = config;
    this.manager = manager;
    this.objective = config.objective().create();
    this.optimizer = new AdamW(config.adamW(), trainableParameters(model), manager);
    this.trainStep = new TrainStep(model, objective, optimizer, manager, config.microBatches(),
        config.clipNorm(), config.seed(), worker.collective(), worker.autograd());
    this.schedule = config.schedule();
  }

  /**
   * The model's parameters that train ({@link GptModel#trains}: all, or a LoRA model's adapters and scalar head),
   * by name, with the model's weight-decay rule, in declaration order.
   */
  public static List<TrainableParameter> trainableParameters(GptModel model) {
    List<TrainableParameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : model.getParameters()) {
      if (p.getValue().requiresGradient() && model.trains(p.getKey())) {
        out.add(new TrainableParameter(p.getKey(), p.getValue().getArray(), model.decays(p.getKey())));
      }
    }
    return out;
  }

  public Objective objective() {
    return objective;
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** Restores parameters and optimizer from {@code checkpoint} and returns where the run stood. */
  public TrainProgress restore(CheckpointStore store, Path checkpoint) {
    CheckpointState state = store.readState(checkpoint);
    LoraBase.requireSame(checkpoint.toString(), state.loraBases(), LoraBase.of(model, null));
    ConfigDiff.requireEqual(checkpoint + ": model", state.model(), JSON.valueToTree(model.config()));
    ConfigDiff.requireEqual(checkpoint + ": train", state.train(), JSON.valueToTree(config));
    store.loadParameters(checkpoint, optimizer.parameters(), manager);
    store.loadOptimizer(checkpoint, optimizer, manager);
    return new TrainProgress(state.step(), state.tokens(), state.flops(), state.data());
  }

  /**
   * Runs updates {@code start.step() + 1 .. config.steps()}; {@code train} must stand at
   * {@code start.data()} and yields global batches. Returns the final progress. On ranks other than 0
   * {@code metrics} and {@code progress} are not used (and may be null) and {@code eval} should be empty.
   */
  public TrainProgress run(BatchStream train, List<TokenBatch> eval, TrainProgress start, MetricsLog metrics,
      ProgressLine progress, CheckpointStore checkpoints) {
    if (!train.position().equals(start.data())) {
      throw new IllegalArgumentException("batch stream stands at " + train.position() + ", the run at "
          + start.data());
    }
    TrainProgress now = start;
    long lastSaved = start.step();
    Throughput throughput = new Throughput(now.tokens());
    for (long step = start.step() + 1; step <= config.steps(); step++) {
      TokenBatch batch = train.next();
      double lr = schedule.lr(step);
      TrainStep.Result result = trainStep.run(batch, step, lr);
      // Packed batches count their sequences' own tokens and attention squares, never the padding.
      long flops = batch.segments() == null
          ? FlopCounter.trainingFlops(model.config(), model.lora(), batch.rows(), batch.sequenceLength())
          : FlopCounter.trainingFlops(model.config(), model.lora(), batch.sequenceInputs());
      now = new TrainProgress(step, now.tokens() + batch.computedTokens(), now.flops() + flops, train.position());
      boolean last = step == config.steps();
      boolean lead = worker.lead();
      if (lead && (step % config.logEvery() == 0 || last)) {
        TrainRecord record = new TrainRecord(step, now.tokens(), now.flops(), result.loss(), lr,
            result.gradNorm(), throughput.since(now.tokens()));
        metrics.train(record);
        progress.step(record);
      }
      if (lead && !eval.isEmpty() && ((config.evalEvery() > 0 && step % config.evalEvery() == 0) || last)) {
        Evaluation.Result e = Evaluation.run(model, objective, eval, manager);
        EvalRecord record = new EvalRecord(step, now.tokens(), now.flops(), e.loss(), e.targets());
        metrics.eval(record);
        progress.eval(record);
      }
      if ((config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) || last) {
        save(checkpoints, metrics, now);
        lastSaved = step;
      }
      worker.listener().stepDone(now);
    }
    if (lastSaved != now.step()) {
      save(checkpoints, metrics, now);
    }
    return now;
  }

  private void save(CheckpointStore checkpoints, MetricsLog metrics, TrainProgress at) {
    CheckpointCommit.save(worker, checkpoints, metrics, new CheckpointState(at.step(), at.tokens(), at.flops(),
        at.data(), config.seed(), JSON.valueToTree(model.config()), JSON.valueToTree(config),
        LoraBase.of(model, null)), optimizer);
  }

  @Override
  public void close() {
    optimizer.close();
  }

  /** Tokens per second of wall time between logged steps. */
  private static final class Throughput {
    private long tokens;
    private long nanos = System.nanoTime();

    Throughput(long tokens) {
      this.tokens = tokens;
    }

    double since(long nowTokens) {
      long nowNanos = System.nanoTime();
      double rate = (nowTokens - tokens) / Math.max(1e-9, (nowNanos - nanos) / 1e9);
      tokens = nowTokens;
      nanos = nowNanos;
      return rate;
    }
  }
}
