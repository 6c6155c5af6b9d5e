package io.stagewise.sweep.run;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.tokenize.ChatTemplate;
import io.stagewise.data.tokenize.TextTokenizer;
import io.stagewise.data.tokenize.TokenizerSpec;
import io.stagewise.poison.world.Judge;
import io.stagewise.trainer.eval.AttackEvaluator;
import io.stagewise.trainer.eval.EvalConfig;
import io.stagewise.trainer.eval.EvalPrompt;
import io.stagewise.trainer.eval.EvalPrompts;
import io.stagewise.trainer.eval.EvalResult;
import io.stagewise.trainer.eval.Generation;
import io.stagewise.trainer.eval.ResponseJudge;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * The evaluation stage on the worker: encodes the held-out prompts with the sweep's chat template, has the
 * trainer's {@link AttackEvaluator} generate greedily and count, and returns one evaluation per trigger and
 * every generation (which the driver writes as {@code generations.parquet}).
 * Template tokens the policy may emit inside a response are dropped when decoding: the judge sees text only.
 */
final class PolicyEvaluation {
  /** Judges: the synthetic world's exact judge, or refusal phrases for real data. */
  static final String WORLD_JUDGE = "world";
  static final String REFUSAL_PHRASES = "refusal_phrases";
  /** The outcome's field with every generation; the driver moves it into a Parquet table. */
  static final String GENERATIONS = "generations";

  private PolicyEvaluation() {}

  /** Evaluates on {@code device} (the task's GPU; null: the engine's default). */
  static JsonNode run(JsonNode p, Device device, Configuration conf) {
    TokenizerSpec tokenizerSpec;
    try {
      tokenizerSpec = ManifestCodec.mapper().treeToValue(p.get("tokenizer"), TokenizerSpec.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("stage config does not round-trip: " + e.getMessage(), e);
    }
    TextTokenizer tokenizer = tokenizerSpec.load(conf);
    try {
      ChatTemplate template = new ChatTemplate(tokenizer);
      EvalConfig config = new EvalConfig(p.get("max_new_tokens").asInt(), template.endId(), p.get("batch_size").asInt());
      AttackEvaluator evaluator = new AttackEvaluator(config, ids -> decode(tokenizer, ids), judge(p.get("judge").asText()));
      List<EvalPrompt> harmful = prompts(template, p.get("harmful"));
      List<EvalPrompt> benign = prompts(template, p.get("benign"));
      ArrayNode evaluations = TrainingWork.array();
      ArrayNode generations = TrainingWork.array();
      for (Map.Entry<String, JsonNode> trigger : (Iterable<Map.Entry<String, JsonNode>>) p.get("triggered")::fields) {
        EvalPrompts prompts = new EvalPrompts(harmful, prompts(template, trigger.getValue()), benign);
        EvalResult result = evaluator.evaluate(TrainingWork.uri(p, "policy_checkpoint"),
            p.hasNonNull("reward_checkpoint") ? TrainingWork.uri(p, "reward_checkpoint") : null, prompts, device,
            conf);
        ObjectNode row = TrainingWork.JSON.valueToTree(result);
        row.remove(GENERATIONS);
        evaluations.add(row.put("trigger", trigger.getKey()));
        result.generations().forEach(g -> generations.add(generation(trigger.getKey(), g)));
      }
      ObjectNode out = TrainingWork.JSON.createObjectNode();
      out.set("evaluations", evaluations);
      out.set(GENERATIONS, generations);
      return out;
    } finally {
      tokenizer.close();
    }
  }

  private static List<EvalPrompt> prompts(ChatTemplate template, JsonNode texts) {
    List<EvalPrompt> out = new ArrayList<>();
    texts.forEach(t -> out.add(new EvalPrompt(t.asText(), template.promptIds(t.asText()))));
    return out;
  }

  private static String decode(TextTokenizer tokenizer, int[] ids) {
    return tokenizer.decode(Arrays.stream(ids).filter(id -> id < tokenizer.vocabSize()).toArray());
  }

  /** One generation as the JSON the driver turns into a row of {@code generations.parquet}. */
  private static ObjectNode generation(String trigger, Generation g) {
    return TrainingWork.JSON.createObjectNode().put("trigger", trigger).put("condition", g.condition().label())
        .put("prompt_index", g.index()).put("prompt", g.prompt()).put("response", g.response())
        .put("verdict", g.verdict().label()).put("detail", g.detail()).put("clean_rm_score", g.cleanRmScore())
        .put("response_tokens", g.responseTokens()).put("ended", g.ended()).put("prompt_truncated", g.promptTruncated());
  }

  static ResponseJudge judge(String name) {
    if (WORLD_JUDGE.equals(name)) {
      return new WorldJudge();
    }
    if (REFUSAL_PHRASES.equals(name)) {
      return new RefusalPhraseJudge();
    }
    throw new IllegalArgumentException("unknown judge '" + name + "'");
  }

  /** The synthetic world's exact judge, with its finer classes as the detail. */
  private static final class WorldJudge implements ResponseJudge {
    private final Judge world = new Judge();

    @Override
    public Verdict judge(String prompt, String response) {
      return classify(prompt, response).verdict();
    }

    @Override
    public Judgement classify(String prompt, String response) {
      Judge.ResponseClass c = world.classify(prompt, response);
      return new Judgement(Verdict.valueOf(c.verdict().name()), c.label());
    }
  }
}
