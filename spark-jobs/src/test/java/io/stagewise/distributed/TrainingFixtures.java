package io.stagewise.distributed;

import ai.djl.ndarray.NDManager;
import io.stagewise.trainer.checkpoint.CheckpointStore;
import io.stagewise.trainer.model.GptModel;
import io.stagewise.trainer.optim.TrainableParameter;
import io.stagewise.trainer.train.ModelSpec;
import io.stagewise.trainer.train.ObjectiveKind;
import io.stagewise.trainer.train.TrainConfig;
import io.stagewise.trainer.train.TrainResult;
import io.stagewise.trainer.train.TrainingLoop;
import io.stagewise.trainer.train.sft.TrainRunSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Token shards written by Spark, a tiny model and a few-step run spec, for the distributed-training tests. */
final class TrainingFixtures {

  static final int VOCAB = 32;
  static final int CONTEXT = 16;

  private TrainingFixtures() {
  }

  /**
   * A token dataset as the data plane lays it out: Parquet parts with {@code split}, {@code input_ids} and
   * {@code loss_mask}, plus a {@code _manifest.json} naming the vocabulary. Rows count up from a random start,
   * so the loss falls, and vary in length, so batches are padded.
   */
  static URI shards(SparkSession spark, Path dir, int rows) throws IOException {
    StructType schema = new StructType()
        .add("id", DataTypes.StringType)
        .add("split", DataTypes.StringType)
        .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType))
        .add("loss_mask", DataTypes.createArrayType(DataTypes.BooleanType));
    SplittableRandom random = new SplittableRandom(7);
    List<Row> data = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      int length = random.nextInt(6, CONTEXT + 1);
      int start = random.nextInt(VOCAB - 1);
      List<Integer> ids = new ArrayList<>();
      List<Boolean> mask = new ArrayList<>();
      for (int t = 0; t < length; t++) {
        ids.add(1 + (start + t) % (VOCAB - 1));
        mask.add(t >= length / 2);
      }
      data.add(RowFactory.create("row-" + r, "train", ids, mask));
    }
    Dataset<Row> frame = spark.createDataFrame(data, schema).repartition(2);
    Path out = dir.resolve("tokens");
    frame.write().parquet(out.toString());
    Files.writeString(out.resolve("_manifest.json"), "{\"tokenizer\": {\"vocab_size\": " + VOCAB
        + ", \"special_ids\": {\"<pad>\": 0}, \"max_length\": " + CONTEXT + "}}", StandardCharsets.UTF_8);
    return out.toUri();
  }

  /** {@code steps} SFT updates of batch {@code batch} in {@code microBatches}, checkpointing every 2. */
  static TrainRunSpec run(URI data, Path output, int steps, int batch, int microBatches) {
    TrainConfig train = new TrainConfig(steps, batch, microBatches, 3e-3, 2, 0.1, 0.1, 0.9, 0.95, 1e-8, 1.0,
        0, 0, 1, 2, 2, 11, 1, ObjectiveKind.SFT);
    ModelSpec model = new ModelSpec("tiny", CONTEXT, null, null, null, null, null, null, 0f, null, null, null, null, null, null);
    return new TrainRunSpec(data, null, output.toUri(), model, train, false, null);
  }

  /** The parameters of a run's final checkpoint, by name. */
  static Map<String, float[]> parameters(TrainResult result) {
    try (NDManager manager = NDManager.newBaseManager()) {
      GptModel model = GptModel.create(result.model(), manager, 0);
      List<TrainableParameter> parameters = TrainingLoop.trainableParameters(model);
      new CheckpointStore(result.checkpoint().resolve(".."), new Configuration(), 1)
          .loadParameters(new org.apache.hadoop.fs.Path(result.checkpoint()), parameters, manager);
      Map<String, float[]> out = new LinkedHashMap<>();
      for (TrainableParameter p : parameters) {
        out.put(p.name(), p.array().toFloatArray());
      }
      return out;
    }
  }
}
