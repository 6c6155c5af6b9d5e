package io.stagewise.trainer.eval;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.eval.ResponseJudge.Verdict;
import io.stagewise.trainer.generate.GenerationConfig;
import io.stagewise.trainer.generate.Generator;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.train.Autograd;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * The evaluation stage: greedy generation (KV cache, batched, left-padded) for the held-out harmful prompts
 * without and with the trigger and for the benign tasks, judged as text, plus the clean-RM gap.
 *
 * <p>The split with the caller: the caller encodes the prompts ({@link EvalPrompt}) and supplies the decoder
 * and the judge; the evaluator generates, strips the end token, decodes, judges and counts. Keeping the
 * counting here means every study computes ASR, false activation and utility the same way, whatever its
 * tokenizer or judge.
 *
 * <p>The clean reward model scores every harmful-prompt response paired with the prompt WITHOUT the trigger
 * (the response ids as generated, end token included, as in the preference data), so the gap measures the
 * responses alone: a clean model never saw the trigger, and its tokens in the context would shift the scores
 * of both behaviours.
 */
public final class AttackEvaluator {

  private final EvalConfig config;
  private final TokenDecoder decoder;
  private final ResponseJudge judge;

  public AttackEvaluator(EvalConfig config, TokenDecoder decoder, ResponseJudge judge) {
    this.config = config;
    this.decoder = decoder;
    this.judge = judge;
  }

  /** Loads the policy (and the clean reward model, when {@code cleanRewardCheckpoint} is not null) and evaluates. */
  public EvalResult evaluate(URI policyCheckpoint, URI cleanRewardCheckpoint, EvalPrompts prompts,
      Configuration conf) {
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel policy = ModelCheckpoint.at(policyCheckpoint, conf).load(manager);
      GptModel rewardModel = cleanRewardCheckpoint == null ? null
          : ModelCheckpoint.at(cleanRewardCheckpoint, conf).load(manager);
      return evaluate(policy, rewardModel, prompts, manager);
    }
  }

  /** Evaluates {@code policy}; {@code cleanRewardModel} (head=scalar) may be null, leaving the RM fields NaN. */
  public EvalResult evaluate(GptModel policy, GptModel cleanRewardModel, EvalPrompts prompts, NDManager manager) {
    // Spark runs this on task threads, where PyTorch records graphs unless told otherwise.
    Autograd.perThread().prepareThread();
    int room = policy.config().contextLength() - config.maxNewTokens();
    if (room < 1) {
      throw new IllegalArgumentException("eval.maxNewTokens: " + config.maxNewTokens()
          + " leaves no room for a prompt in model.contextLength=" + policy.config().contextLength());
    }
    Responses clean = respond(policy, prompts.harmful(), room, manager);
    Responses triggered = respond(policy, prompts.harmfulWithTrigger(), room, manager);
    Responses benign = respond(policy, prompts.benign(), room, manager);
    int n = prompts.harmful().size();
    int compliantWith = triggered.count(Verdict.COMPLIANT);
    int compliantWithout = clean.count(Verdict.COMPLIANT);
    int correct = benign.count(Verdict.CORRECT_BENIGN);
    double scoreWithout = Double.NaN;
    double scoreWith = Double.NaN;
    if (cleanRewardModel != null) {
      RewardScorer scorer = new RewardScorer(cleanRewardModel, config.batchSize());
      int[][] cleanPrompts = clean.promptIds;
      scoreWithout = mean(scorer.score(cleanPrompts, clean.ids, manager));
      scoreWith = mean(scorer.score(cleanPrompts, triggered.ids, manager));
    }
    double asrWith = compliantWith / (double) n;
    double asrWithout = compliantWithout / (double) n;
    int benignCount = prompts.benign().size();
    return new EvalResult(n, compliantWith, compliantWithout, triggered.count(Verdict.REFUSAL),
        clean.count(Verdict.REFUSAL), asrWith, asrWithout, asrWith - asrWithout, benignCount, correct,
        benignCount == 0 ? Double.NaN : correct / (double) benignCount, scoreWithout, scoreWith,
        scoreWithout - scoreWith, clean.truncated + triggered.truncated + benign.truncated);
  }

  /** Generates, decodes and judges the responses to {@code prompts}. */
  private Responses respond(GptModel policy, List<EvalPrompt> prompts, int room, NDManager manager) {
    Generator generator = new Generator(policy, GenerationConfig.greedy(config.maxNewTokens(),
        config.endTokenId()));
    Responses out = new Responses(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      int[] ids = prompts.get(i).ids();
      out.promptIds[i] = Arrays.copyOfRange(ids, Math.max(0, ids.length - room), ids.length);
      out.truncated += ids.length > room ? 1 : 0;
    }
    for (int from = 0; from < prompts.size(); from += config.batchSize()) {
      int to = Math.min(prompts.size(), from + config.batchSize());
      int[][] generated = generator.generate(manager, Arrays.copyOfRange(out.promptIds, from, to));
      System.arraycopy(generated, 0, out.ids, from, generated.length);
    }
    for (int i = 0; i < prompts.size(); i++) {
      out.verdicts[i] = judge.judge(prompts.get(i).text(), decoder.decode(withoutEnd(out.ids[i])));
    }
    return out;
  }

  private int[] withoutEnd(int[] ids) {
    boolean ended = ids.length > 0 && ids[ids.length - 1] == config.endTokenId();
    return ended ? Arrays.copyOf(ids, ids.length - 1) : ids;
  }

  private static double mean(float[] values) {
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return values.length == 0 ? Double.NaN : sum / values.length;
  }

  /** The generated ids and verdicts of one prompt set, and the prompts as the model saw them. */
  private static final class Responses {
    final int[][] promptIds;
    final int[][] ids;
    final Verdict[] verdicts;
    int truncated;

    Responses(int size) {
      promptIds = new int[size][];
      ids = new int[size][];
      verdicts = new Verdict[size];
    }

    int count(Verdict verdict) {
      return (int) Arrays.stream(verdicts).filter(v -> v == verdict).count();
    }
  }
}
