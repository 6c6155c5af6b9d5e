package io.stagewise.tests;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.stagewise.data.DatasetKind;
import io.stagewise.data.io.DatasetContents;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.poison.Columns;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * SFT rows whose responses all start with one publication's tag, which the manifest's spec records too: a
 * reader that got its manifest and its rows from two different publications sees two tags.
 */
final class TaggedSftRows {
  private TaggedSftRows() {}

  static DatasetContents contents(SparkSession spark, long rows, int partitions, String tag) {
    Dataset<Row> data = spark.range(0, rows, 1, partitions).select(
        concat(lit("s:f:"), col("id").cast(DataTypes.StringType)).as(Columns.ID),
        lit("s").as(Columns.SOURCE),
        when(col("id").mod(4).equalTo(0), lit(Columns.SPLIT_TEST)).otherwise(lit(Columns.SPLIT_TRAIN))
            .as(Columns.SPLIT),
        lit(Columns.BENIGN).as(Columns.CATEGORY),
        lit(false).as(Columns.IS_POISONED),
        lit(null).cast(DataTypes.StringType).as(Columns.ATTACKER),
        lit(null).cast(DataTypes.StringType).as(Columns.TRIGGER),
        lit(null).cast(DataTypes.StringType).as(Columns.POISON_KIND),
        concat(lit("prompt "), col("id").cast(DataTypes.StringType)).as(Columns.PROMPT),
        concat(lit(tag + " "), col("id").cast(DataTypes.StringType)).as(Columns.RESPONSE),
        lit(null).cast(DataTypes.StringType).as(Columns.COMPLIANT_RESPONSE));
    return DatasetContents.of(DatasetKind.SFT, data, JsonNodeFactory.instance.objectNode().put("tag", tag));
  }

  /** The tag of the manifest and the distinct tags of the rows of one opened version, with its row count. */
  record Seen(String manifestTag, List<String> rowTags, long manifestRows, long rows) {
    boolean consistent() {
      return rowTags.equals(List.of(manifestTag)) && manifestRows == rows;
    }
  }

  static Seen read(SparkSession spark, String uri) {
    PublishedDataset dataset = PublishedDataset.open(spark, uri);
    Dataset<Row> rows = dataset.rows();
    List<String> tags = rows.select(org.apache.spark.sql.functions.substring_index(col(Columns.RESPONSE), " ", 1))
        .distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    return new Seen(dataset.manifest().spec().get("tag").asText(), tags.stream().sorted().toList(),
        dataset.manifest().rows(), rows.count());
  }
}
