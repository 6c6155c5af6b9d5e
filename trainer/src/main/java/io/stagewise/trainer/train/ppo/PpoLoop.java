package io.stagewise.trainer.train.ppo;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.checkpoint.CheckpointState;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.checkpoint.LoraBase;
import io.stagewise.trainer.data.EpochOrder;
import io.stagewise.trainer.metrics.MetricsLog;
import io.stagewise.trainer.metrics.ProgressLine;
import io.stagewise.trainer.metrics.TrainRecord;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.LrSchedule;
import io.stagewise.trainer.optim.TrainableParameter;
import io.stagewise.trainer.train.CheckpointCommit;
import io.stagewise.trainer.train.ConfigDiff;
import io.stagewise.trainer.train.DataParallelGroup;
import io.stagewise.trainer.train.FrozenReference;
import io.stagewise.trainer.train.ParameterUpdate;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainProgress;
import io.stagewise.trainer.train.TrainingLoop;
import io.stagewise.trainer.train.Worker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;

/**
 * PPO iterations with the trainer's machinery: each iteration draws {@code batchSize} prompts, rolls them out
 * (every worker its slice, in chunks of one micro-batch), gathers the whole batch on every worker, shapes the
 * rewards, estimates advantages and runs the updates; then a metrics line, and checkpoints at the
 * {@link TrainConfig}'s cadence.
 *
 * <p>Policy and value model are trained by one AdamW with one global-norm clipping, as TRL trains its
 * policy-and-value wrapper; the value model's parameters are named {@code value/<name>}, so a checkpoint's
 * {@code params.bin} holds both models and still loads as the policy LM. A checkpoint's step is the iteration,
 * its data position the prompt cursor; sampling and mini-batch orders are functions of (seed, iteration), so
 * nothing else is needed to resume exactly.
 */
public final class PpoLoop implements AutoCloseable {

  /** Prefix of the value model's parameters in the optimizer and in checkpoints. */
  public static final String VALUE_PREFIX = "value/";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final GptModel policy;
  private final GptModel value;
  private final PpoConfig ppo;
  private final TrainConfig train;
  private final JsonNode runConfig;
  private final NDManager manager;
  private final Worker worker;
  private final AdamW optimizer;
  private final DataParallelGroup group;
  private final RolloutSampler sampler;
  private final RolloutExchange exchange;
  private final PpoUpdate update;
  private final LrSchedule schedule;
  private final List<PpoPhaseTimes> phaseTimes = new ArrayList<>();

  /**
   * @param runConfig what checkpoints record and a resumed run must match (the train and PPO settings)
   * @param worker this process's place in the run; rank 0 alone writes metrics and checkpoints
   */
  public PpoLoop(GptModel policy, FrozenReference reference, GptModel value, ResponseScore reward, PpoConfig ppo,
      TrainConfig train, JsonNode runConfig, NDManager manager, Worker worker) {
    int chunks = ppo.numMiniBatches() * train.microBatches();
    if (train.batchSize() % chunks != 0) {
      throw new IllegalArgumentException("train.batchSize (" + train.batchSize() + ") must split into ppo"
          + ".numMiniBatches × train.microBatches = " + chunks + " micro-batches");
    }
    if (policy.config().contextLength() <= ppo.responseLength()) {
      throw new IllegalArgumentException("ppo.responseLength (" + ppo.responseLength()
          + ") leaves no room for a prompt in model.contextLength=" + policy.config().contextLength());
    }
    this.policy = policy;
    this.value = value;
    this.ppo = ppo;
    this.train = train;
    this.runConfig = runConfig;
    this.manager = manager;
    this.worker = worker;
    List<TrainableParameter> parameters = new ArrayList<>(TrainingLoop.trainableParameters(policy));
    for (TrainableParameter p : TrainingLoop.trainableParameters(value)) {
      parameters.add(new TrainableParameter(VALUE_PREFIX + p.name(), p.array(), p.decayed()));
    }
    this.optimizer = new AdamW(train.adamW(), parameters, manager);
    this.group = new DataParallelGroup(worker.collective(), DataParallelGroup.DEFAULT_BUCKET_FLOATS);
    ParameterUpdate parameterUpdate = new ParameterUpdate(optimizer, manager, train.clipNorm(), group);
    this.sampler = new RolloutSampler(policy, reference, value, reward, ppo, train.seed());
    this.exchange = new RolloutExchange(worker.collective(), promptCap(), ppo.responseLength());
    this.update = new PpoUpdate(policy, value, ppo, parameterUpdate, group, worker.autograd(), manager,
        train.microBatches(), train.seed());
    this.schedule = train.schedule();
  }

  /** The longest prompt a rollout keeps: the context less the response. */
  public int promptCap() {
    return policy.config().contextLength() - ppo.responseLength();
  }

  /** The phase times of every iteration this loop has run, in order. */
  public List<PpoPhaseTimes> phaseTimes() {
    return List.copyOf(phaseTimes);
  }

  public AdamW optimizer() {
    return optimizer;
  }

  /** Restores both models and the optimizer from {@code checkpoint} and returns where the run stood. */
  public TrainProgress restore(CheckpointStore store, Path checkpoint) {
    CheckpointState state = store.readState(checkpoint);
    LoraBase.requireSame(checkpoint.toString(), state.loraBases(), LoraBase.of(policy, value));
    ConfigDiff.requireEqual(checkpoint + ": model", state.model(), JSON.valueToTree(policy.config()));
    ConfigDiff.requireEqual(checkpoint + ": train", state.train(), runConfig);
    store.loadParameters(checkpoint, optimizer.parameters(), manager);
    store.loadOptimizer(checkpoint, optimizer, manager);
    return new TrainProgress(state.step(), state.tokens(), state.flops(), state.data());
  }

  /**
   * Runs iterations {@code start.step() + 1 .. train.steps()} on {@code prompts} (each at most
   * {@link #promptCap()} long), visited in the order of {@code order}, which must stand at {@code start.data()}.
   * On ranks other than 0 {@code metrics} and {@code progress} are not used and may be null.
   */
  public TrainProgress run(int[][] prompts, EpochOrder order, TrainProgress start, MetricsLog metrics,
      ProgressLine progress, CheckpointStore checkpoints) {
    if (!order.position().equals(start.data())) {
      throw new IllegalArgumentException("prompt order stands at " + order.position() + ", the run at "
          + start.data());
    }
    TrainProgress now = start;
    long lastSaved = start.step();
    for (long iteration = start.step() + 1; iteration <= train.steps(); iteration++) {
      long began = System.nanoTime();
      int[] indices = order.nextBatch();
      int[][] batch = new int[indices.length][];
      for (int i = 0; i < indices.length; i++) {
        batch[i] = prompts[indices[i]];
      }
      TimedRollout timed = rollOut(batch, iteration);
      Rollout rollout = timed.rollout();
      TokenRewards rewards = TokenRewards.of(rollout, ppo);
      GeneralizedAdvantage.Estimate estimate = GeneralizedAdvantage.estimate(rewards.rewards(),
          rollout.valuesInDouble(), ppo.gamma(), ppo.lam());
      double lr = schedule.lr(iteration);
      long updateBegan = System.nanoTime();
      PpoUpdate.Result result = update.run(rollout, estimate, iteration, lr);
      long ended = System.nanoTime();
      PpoPhaseTimes times = new PpoPhaseTimes(timed.rolloutSeconds(), timed.scoringSeconds(),
          (ended - updateBegan) / 1e9, (ended - began) / 1e9);
      phaseTimes.add(times);
      double rolloutFlops = rolloutFlops(rollout);
      now = new TrainProgress(iteration, now.tokens() + rollout.tokens(), now.flops() + rolloutFlops
          + result.flops(), order.position());
      boolean last = iteration == train.steps();
      double seconds = Math.max(1e-9, times.iterationSeconds());
      if (worker.lead() && (iteration % train.logEvery() == 0 || last)) {
        TrainRecord record = new TrainRecord(iteration, now.tokens(), now.flops(), result.loss(), lr,
            result.gradNorm(), rollout.tokens() / seconds);
        Map<String, Double> line = PpoMetrics.of(rollout, rewards, result, rollout.rows() / seconds, rolloutFlops);
        line.putAll(times.asMetrics());
        metrics.train(record, line);
        progress.step(record);
      }
      if ((train.checkpointEvery() > 0 && iteration % train.checkpointEvery() == 0) || last) {
        save(checkpoints, metrics, now);
        lastSaved = iteration;
      }
      worker.listener().stepDone(now);
    }
    if (lastSaved != now.step()) {
      save(checkpoints, metrics, now);
    }
    return now;
  }

  /** A gathered rollout with this worker's generation and scoring seconds. */
  private record TimedRollout(Rollout rollout, double rolloutSeconds, double scoringSeconds) {}

  /** This worker rolls out its slice of {@code batch} one micro-batch of rows at a time; all get the whole. */
  private TimedRollout rollOut(int[][] batch, long iteration) {
    double rolloutSeconds = 0;
    double scoringSeconds = 0;
    int chunk = chunkRows(batch.length);
    int perWorker = batch.length / group.worldSize();
    int first = group.rank() * perWorker;
    List<Rollout> parts = new ArrayList<>();
    for (int from = first; from < first + perWorker; from += chunk) {
      int[][] prompts = Arrays.copyOfRange(batch, from, from + chunk);
      long began = System.nanoTime();
      int[][] responses = sampler.generate(prompts, from, iteration, manager);
      long generated = System.nanoTime();
      parts.add(sampler.score(prompts, responses, manager));
      rolloutSeconds += (generated - began) / 1e9;
      scoringSeconds += (System.nanoTime() - generated) / 1e9;
    }
    return new TimedRollout(exchange.gather(Rollout.concat(parts), first, batch.length), rolloutSeconds,
        scoringSeconds);
  }

  /** FLOPs of the whole batch's rollouts, chunk by chunk as they ran (whichever worker ran them). */
  private double rolloutFlops(Rollout rollout) {
    int chunk = chunkRows(rollout.rows());
    double flops = 0;
    for (int from = 0; from < rollout.rows(); from += chunk) {
      flops += sampler.flops(Arrays.copyOfRange(rollout.prompts(), from, from + chunk),
          Arrays.copyOfRange(rollout.responses(), from, from + chunk));
    }
    return flops;
  }

  private int chunkRows(int batchRows) {
    return batchRows / (ppo.numMiniBatches() * train.microBatches());
  }

  private void save(CheckpointStore checkpoints, MetricsLog metrics, TrainProgress at) {
    CheckpointCommit.save(worker, checkpoints, metrics, new CheckpointState(at.step(), at.tokens(), at.flops(),
        at.data(), train.seed(), JSON.valueToTree(policy.config()), runConfig,
        LoraBase.of(policy, value)), optimizer);
  }

  @Override
  public void close() {
    optimizer.close();
  }
}
