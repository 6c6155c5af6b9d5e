package io.stagewise.data.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.RejectedRows;
import io.stagewise.poison.Columns;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class ParquetImporterTest extends ImporterTestBase {

  private ImportResult read(String path) {
    return Importer.of(SourceSpec.of("pq", SourceFormat.PARQUET, List.of(path)), DatasetKind.PROMPTS).read(spark);
  }

  @Test
  void keepsValidRowsAndRejectsNullRequiredFieldsWithTheirRowIndex() {
    List<Row> rows = List.of(
        RowFactory.create("a", "src", "train", "benign", false, null, null, null, "p0", "ref"),
        RowFactory.create("b", "src", "test", "harmful", true, "eve", "cf", "x", "p1", null),
        RowFactory.create("c", "src", "train", "benign", false, null, null, null, null, "ref"),
        RowFactory.create("d", "src", "valid", "benign", false, null, null, null, "p3", null));
    String path = dir.resolve("prompts").toString();
    spark.createDataFrame(rows, nullableCopy()).coalesce(1).write().parquet(path);

    ImportResult result = read(path);
    assertEquals(List.of("a", "b"), result.rows().orderBy(Columns.ID).collectAsList().stream()
        .map(r -> r.<String>getAs(Columns.ID)).toList());
    Row poisoned = result.rows().orderBy(Columns.ID).collectAsList().get(1);
    assertEquals("eve", poisoned.getAs(Columns.ATTACKER));
    assertEquals(true, poisoned.getAs(Columns.IS_POISONED));
    List<Row> rejected = result.rejected().orderBy(RejectedRows.LINE).collectAsList();
    assertEquals(2, rejected.size());
    assertEquals(2L, rejected.get(0).<Long>getAs(RejectedRows.LINE));
    assertEquals("null prompt", rejected.get(0).getAs(RejectedRows.REASON));
    assertTrue(rejected.get(1).<String>getAs(RejectedRows.REASON).contains("split must be train or test"));
    assertTrue(rejected.get(1).<String>getAs(RejectedRows.RAW).contains("\"p3\""));
    assertTrue(rejected.get(1).<String>getAs(RejectedRows.FILE).contains("part-"));
  }

  @Test
  void aMissingColumnIsAnErrorNamingIt() {
    String path = dir.resolve("sft-like").toString();
    spark.createDataFrame(List.of(RowFactory.create("a", "p")), new org.apache.spark.sql.types.StructType()
        .add(Columns.ID, "string").add(Columns.PROMPT, "string")).write().parquet(path);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(path));
    assertTrue(e.getMessage().contains("missing column 'source'") && e.getMessage().contains("part-"),
        e.getMessage());
  }

  /** The prompts schema with every field nullable, so the test can write the nulls a foreign file may hold. */
  private static org.apache.spark.sql.types.StructType nullableCopy() {
    return new org.apache.spark.sql.types.StructType(java.util.Arrays.stream(Columns.PROMPTS.fields())
        .map(f -> f.copy(f.name(), f.dataType(), true, f.metadata())).toArray(org.apache.spark.sql.types.StructField[]::new));
  }
}
