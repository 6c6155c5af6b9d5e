package io.stagewise.data.manifest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.stagewise.data.LocalSpark;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ContentFingerprintTest {
  private static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType)
      .add("a", DataTypes.StringType)
      .add("b", DataTypes.StringType)
      .add("ids", DataTypes.createArrayType(DataTypes.IntegerType));
  private static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.start();
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Dataset<Row> rows(List<Row> rows) {
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static List<Row> sample() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      rows.add(RowFactory.create("r" + i, "x" + (i % 7), i % 5 == 0 ? null : "y", new int[] {i, i + 1}));
    }
    return rows;
  }

  private static String digest(Dataset<Row> data) {
    return ContentFingerprint.of(data).digest();
  }

  @Test
  void isIndependentOfPartitioningRowOrderAndColumnOrder() {
    Dataset<Row> data = rows(sample());
    String reference = digest(data.coalesce(1));
    assertEquals(reference, digest(data.repartition(7)));
    assertEquals(reference, digest(data.orderBy(col("id").desc()).repartition(3)));
    assertEquals(reference, digest(data.select("ids", "b", "id", "a")));
    assertEquals(200, ContentFingerprint.of(data).rows());
  }

  @Test
  void changesWithAnyValueAWhereANullMovesOrARowIsDuplicated() {
    List<Row> base = sample();
    String reference = digest(rows(base));

    List<Row> changed = new ArrayList<>(base);
    changed.set(17, RowFactory.create("r17", "x3", "y", new int[] {17, 19}));
    assertNotEquals(reference, digest(rows(changed)));

    List<Row> nullMoved = new ArrayList<>(base);
    nullMoved.set(3, RowFactory.create("r3", null, "x3", new int[] {3, 4}));
    List<Row> original = new ArrayList<>(base);
    original.set(3, RowFactory.create("r3", "x3", null, new int[] {3, 4}));
    assertNotEquals(digest(rows(original)), digest(rows(nullMoved)));

    List<Row> doubled = new ArrayList<>(base);
    doubled.add(base.get(0));
    doubled.add(base.get(0));
    assertNotEquals(reference, digest(rows(doubled)), "a duplicated row changes the sums");
  }

  @Test
  void coversTheSchema() {
    Dataset<Row> data = rows(sample());
    assertNotEquals(digest(data), digest(data.withColumnRenamed("a", "c")));
  }
}
