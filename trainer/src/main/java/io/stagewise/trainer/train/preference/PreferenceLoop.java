package io.stagewise.trainer.train.preference;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.checkpoint.CheckpointState;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.data.ShuffledPreferenceBatches;
import io.stagewise.trainer.metrics.EvalRecord;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.metrics.TrainRecord;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.LrSchedule;
import io.stagewise.trainer.train.CheckpointCommit;
import io.stagewise.trainer.train.ConfigDiff;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.TrainingLoop;
import io.stagewise.trainer.train.Worker;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * Trains a model on preference pairs with the machinery of {@link TrainingLoop}: the {@link TrainConfig}'s
 * schedule, AdamW and clipping, its cadence of metrics lines, held-out evaluations and checkpoints, and exact
 * resumption. Metrics lines carry TRL's {@code rewards/*} values beside the loss; an evaluation's
 * {@code targets} is its number of pairs.
 */
public final class PreferenceLoop implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final GptModel model;
  private final PreferenceObjective objective;
  private final TrainConfig config;
  private final JsonNode runConfig;
  private final NDManager manager;
  private final AdamW optimizer;
  private final PreferenceStep step;
  private final LrSchedule schedule;
  private final Worker worker;

  /**
   * @param runConfig the configuration checkpoints record and a resumed run must match (the train config, plus
   *     the objective's own settings)
   * @param worker this process's place in the run; rank 0 alone evaluates and writes metrics and checkpoints
   */
  public PreferenceLoop(GptModel model, PreferenceObjective objective, TrainConfig config, JsonNode runConfig,
      NDManager manager, Worker worker) {
    this.worker = worker;
    this.model = model;
    this.objective = objective;
    this.config = config;
    this.runConfig = runConfig;
    this.manager = manager;
    this.optimizer = new AdamW(config.adamW(), TrainingLoop.trainableParameters(model), manager);
    this.step = new PreferenceStep(model, objective, optimizer, manager, config.microBatches(),
        config.clipNorm(), config.seed(), worker.collective(), worker.autograd());
    this.schedule = config.schedule();
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** Restores parameters and optimizer from {@code checkpoint} and returns where the run stood. */
  public TrainProgress restore(CheckpointStore store, Path checkpoint) {
    CheckpointState state = store.readState(checkpoint);
    LoraBase.requireSame(checkpoint.toString(), state.loraBases(), LoraBase.of(model, null));
    ConfigDiff.requireEqual(checkpoint + ": model", state.model(), JSON.valueToTree(model.config()));
    ConfigDiff.requireEqual(checkpoint + ": train", state.train(), runConfig);
    store.loadParameters(checkpoint, optimizer.parameters(), manager);
    store.loadOptimizer(checkpoint, optimizer, manager);
    return new TrainProgress(state.step(), state.tokens(), state.flops(), state.data());
  }

  /**
   * Runs updates {@code start.step() + 1 .. config.steps()}; {@code train} must stand at {@code start.data()}
   * and yields global batches. On ranks other than 0 {@code metrics} and {@code progress} are not used (and may
   * be null) and {@code eval} should be empty.
   */
  public TrainProgress run(ShuffledPreferenceBatches train, List<PreferenceBatch> eval, TrainProgress start,
      MetricsLog metrics, ProgressLine progress, CheckpointStore checkpoints) {
    if (!train.position().equals(start.data())) {
      throw new IllegalArgumentException("batch stream stands at " + train.position() + ", the run at "
          + start.data());
    }
    TrainProgress now = start;
    long lastSaved = start.step();
    long nanos = System.nanoTime();
    long tokensAtLog = now.tokens();
    for (long s = start.step() + 1; s <= config.steps(); s++) {
      PreferenceBatch batch = train.next();
      double lr = schedule.lr(s);
      PreferenceStep.Result result = step.run(batch, s, lr);
      now = new TrainProgress(s, now.tokens() + objective.tokens(batch),
          now.flops() + objective.trainingFlops(model.config(), model.lora(), batch), train.position());
      boolean last = s == config.steps();
      boolean lead = worker.lead();
      if (lead && (s % config.logEvery() == 0 || last)) {
        long nowNanos = System.nanoTime();
        double rate = (now.tokens() - tokensAtLog) / Math.max(1e-9, (nowNanos - nanos) / 1e9);
        nanos = nowNanos;
        tokensAtLog = now.tokens();
        TrainRecord record = new TrainRecord(s, now.tokens(), now.flops(), result.metrics().loss(), lr,
            result.gradNorm(), rate);
        metrics.train(record, result.metrics().byName());
        progress.step(record);
      }
      if (lead && !eval.isEmpty() && ((config.evalEvery() > 0 && s % config.evalEvery() == 0) || last)) {
        evaluate(eval, now, metrics, progress);
      }
      if ((config.checkpointEvery() > 0 && s % config.checkpointEvery() == 0) || last) {
        save(checkpoints, metrics, now);
        lastSaved = s;
      }
      worker.listener().stepDone(now);
    }
    if (lastSaved != now.step()) {
      save(checkpoints, metrics, now);
    }
    return now;
  }

  private void evaluate(List<PreferenceBatch> eval, TrainProgress at, MetricsLog metrics, ProgressLine progress) {
    PairMetrics e = PreferenceEvaluation.run(model, objective, eval, manager);
    EvalRecord record = new EvalRecord(at.step(), at.tokens(), at.flops(), e.loss(), e.pairs());
    metrics.eval(record, e.byName());
    progress.eval(record);
  }

  private void save(CheckpointStore checkpoints, MetricsLog metrics, TrainProgress at) {
    CheckpointCommit.save(worker, checkpoints, metrics, new CheckpointState(at.step(), at.tokens(), at.flops(),
        at.data(), config.seed(), JSON.valueToTree(model.config()), runConfig,
        LoraBase.of(model, null)), optimizer);
  }

  @Override
  public void close() {
    optimizer.close();
  }
}
