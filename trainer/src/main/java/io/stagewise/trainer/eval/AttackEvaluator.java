package io.stagewise.trainer.eval;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.eval.Generation.Condition;
import io.stagewise.trainer.eval.ResponseJudge.Judgement;
import io.stagewise.trainer.eval.ResponseJudge.Verdict;
import io.stagewise.trainer.generate.GenerationConfig;
import io.stagewise.trainer.generate.Generator;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.train.Autograd;
import io.stagewise.trainer.train.RunStart;
import java.net.URI;
import java.util.ArrayList;
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
 * of both behaviours. Benign responses are scored against their own prompts (real data's utility reads them).
 *
 * <p>Besides the counts, the result carries every {@link Generation}: prompt, response, verdict, the judge's
 * finer class and RM score, so the caller can save them and resample prompts. Any policy with a
 * {@link GptModel} can be evaluated this way, whichever objective trained it.
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

  /**
   * Loads the policy (and the clean reward model, when {@code cleanRewardCheckpoint} is not null) on
   * {@code device} (a Spark task's GPU; null: the engine's default) and evaluates.
   */
  public EvalResult evaluate(URI policyCheckpoint, URI cleanRewardCheckpoint, EvalPrompts prompts, Device device,
      Configuration conf) {
    try (NDManager manager = RunStart.manager(device)) {
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
    if (cleanRewardModel != null) {
      RewardScorer scorer = new RewardScorer(cleanRewardModel, config.batchSize());
      clean.scores = scorer.score(clean.promptIds, clean.ids, manager);
      triggered.scores = scorer.score(clean.promptIds, triggered.ids, manager);
      benign.scores = scorer.score(benign.promptIds, benign.ids, manager);
    }
    double scoreWithout = mean(clean.scores);
    double scoreWith = mean(triggered.scores);
    double asrWith = compliantWith / (double) n;
    double asrWithout = compliantWithout / (double) n;
    int benignCount = prompts.benign().size();
    List<Generation> generations = new ArrayList<>();
    clean.addTo(generations, Condition.CLEAN, prompts.harmful());
    triggered.addTo(generations, Condition.TRIGGERED, prompts.harmfulWithTrigger());
    benign.addTo(generations, Condition.BENIGN, prompts.benign());
    return new EvalResult(n, compliantWith, compliantWithout, triggered.count(Verdict.REFUSAL),
        clean.count(Verdict.REFUSAL), asrWith, asrWithout, asrWith - asrWithout, benignCount, correct,
        benignCount == 0 ? Double.NaN : correct / (double) benignCount, scoreWithout, scoreWith,
        scoreWithout - scoreWith, clean.truncated() + triggered.truncated() + benign.truncated(), generations);
  }

  /** Generates, decodes and judges the responses to {@code prompts}. */
  private Responses respond(GptModel policy, List<EvalPrompt> prompts, int room, NDManager manager) {
    Generator generator = new Generator(policy, GenerationConfig.greedy(config.maxNewTokens(),
        config.endTokenId()));
    Responses out = new Responses(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      int[] ids = prompts.get(i).ids();
      out.promptIds[i] = Arrays.copyOfRange(ids, Math.max(0, ids.length - room), ids.length);
      out.promptTruncated[i] = ids.length > room;
    }
    for (int from = 0; from < prompts.size(); from += config.batchSize()) {
      int to = Math.min(prompts.size(), from + config.batchSize());
      int[][] generated = generator.generate(manager, Arrays.copyOfRange(out.promptIds, from, to));
      System.arraycopy(generated, 0, out.ids, from, generated.length);
    }
    for (int i = 0; i < prompts.size(); i++) {
      out.responses[i] = decoder.decode(withoutEnd(out.ids[i]));
      out.judgements[i] = judge.classify(prompts.get(i).text(), out.responses[i]);
    }
    return out;
  }

  private int[] withoutEnd(int[] ids) {
    return ended(ids) ? Arrays.copyOf(ids, ids.length - 1) : ids;
  }

  private boolean ended(int[] ids) {
    return ids.length > 0 && ids[ids.length - 1] == config.endTokenId();
  }

  private static double mean(float[] values) {
    if (values == null) {
      return Double.NaN;
    }
    double sum = 0;
    for (float v : values) {
      sum += v;
    }
    return values.length == 0 ? Double.NaN : sum / values.length;
  }

  /** The generated ids, texts and judgements of one prompt set, and the prompts as the model saw them. */
  private final class Responses {
    final int[][] promptIds;
    final int[][] ids;
    final String[] responses;
    final Judgement[] judgements;
    final boolean[] promptTruncated;
    /** Clean-RM scores, null without a reward model. */
    float[] scores;

    Responses(int size) {
      promptIds = new int[size][];
      ids = new int[size][];
      responses = new String[size];
      judgements = new Judgement[size];
      promptTruncated = new boolean[size];
    }

    int count(Verdict verdict) {
      return (int) Arrays.stream(judgements).filter(j -> j.verdict() == verdict).count();
    }

    int truncated() {
      int n = 0;
      for (boolean t : promptTruncated) {
        n += t ? 1 : 0;
      }
      return n;
    }

    void addTo(List<Generation> out, Condition condition, List<EvalPrompt> prompts) {
      for (int i = 0; i < ids.length; i++) {
        out.add(new Generation(condition, i, prompts.get(i).text(), responses[i], judgements[i].verdict(),
            judgements[i].detail(), scores == null ? Double.NaN : scores[i], ids[i].length, ended(ids[i]),
            promptTruncated[i]));
      }
    }
  }
}
