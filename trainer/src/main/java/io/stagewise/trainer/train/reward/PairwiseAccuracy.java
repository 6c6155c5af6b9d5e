package io.stagewise.trainer.train.reward;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import io.stagewise.trainer.data.PreferenceBatch;
import io.stagewise.trainer.data.PreferencePairs;
import io.stagewise.trainer.data.ShardManifest;
import io.stagewise.trainer.data.TokenShardReader;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.model.ModelConfig.Head;
import io.stagewise.trainer.train.RunStart;
import io.stagewise.trainer.train.preference.PreferenceEvaluation;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * A trained reward model's pairwise accuracy on preference pairs (TRL's {@code rewards/accuracies}: the share of
 * pairs whose chosen response it scores above the rejected one), every pair of the shards in stored order, no
 * dropout. Scored once after training, so it can be measured on any held-out set, e.g. the same pairs with a
 * trigger appended (the reference's RM attack success is 1 − that accuracy).
 */
public final class PairwiseAccuracy {

  private PairwiseAccuracy() {
  }

  /**
   * Loads the reward model once and scores every set of {@code pairSets} with it.
   *
   * @param checkpoint a {@code head=scalar} checkpoint (or a checkpoints directory standing for its latest)
   * @param pairSets named preference token shards in the model's vocabulary
   * @param pairsPerBatch pairs scored together
   * @param device where to score (a Spark task's GPU), or null for the engine's default
   * @return each set's accuracy, in the order of {@code pairSets}
   */
  public static Map<String, Double> measure(URI checkpoint, Map<String, URI> pairSets, int pairsPerBatch,
      Device device, Configuration conf) {
    ModelCheckpoint reward = ModelCheckpoint.at(checkpoint, conf);
    if (reward.config().head() != Head.SCALAR) {
      throw new IllegalArgumentException(reward.directory() + " holds a head=" + reward.config().head().specName()
          + " model; pairwise accuracy needs a reward model (head=scalar)");
    }
    Map<String, Double> accuracies = new LinkedHashMap<>();
    try (NDManager manager = RunStart.manager(device)) {
      GptModel model = reward.load(manager);
      for (Map.Entry<String, URI> set : pairSets.entrySet()) {
        accuracies.put(set.getKey(), accuracy(model, set.getValue(), pairsPerBatch, conf, manager));
      }
    }
    return accuracies;
  }

  private static double accuracy(GptModel model, URI pairs, int pairsPerBatch, Configuration conf,
      NDManager manager) {
    int vocab = model.config().vocabSize();
    // Resolved once: the manifest and the rows come from the same published version.
    ResolvedDataset resolved = new DatasetResolver(conf).resolve(pairs);
    ShardManifest manifest = ShardManifest.read(resolved, conf).requireVocabulary(resolved, vocab);
    PreferencePairs data = new TokenShardReader(conf).readPreferences(resolved.uri());
    data.checkVocabulary(vocab, resolved.describe());
    try (NDManager scratch = manager.newSubManager()) {
      RewardObjective objective = new RewardObjective();
      int width = objective.width(model.config().contextLength());
      return PreferenceEvaluation.run(model, objective,
          PreferenceBatch.inOrder(data, pairsPerBatch, Integer.MAX_VALUE, width, manifest.padId()), scratch)
          .accuracy();
    }
  }
}
