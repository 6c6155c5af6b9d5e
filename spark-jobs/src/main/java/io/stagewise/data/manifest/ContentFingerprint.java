package io.stagewise.data.manifest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnull;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import io.stagewise.data.ContentDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * A digest of a dataset's content that does not depend on partitioning, row order or column order.
 *
 * <p>Each row is hashed with Spark's {@code xxhash64} over its columns in name order; the rows are folded
 * with commutative aggregates: the sums modulo 2^64 of two independent row hashes (the second salted, so two
 * different datasets would have to collide twice). Sums, unlike an xor, do not cancel duplicated rows, and
 * Spark RAPIDS runs them on the GPU ({@code bit_xor} it does not). Each column is preceded by its null flag because {@code xxhash64} skips nulls, which
 * would make {@code (x, null)} and {@code (null, x)} collide. The digest also covers the schema (names and
 * types, not nullability, which Parquet does not keep). Computed in one aggregation, without collecting
 * rows.
 *
 * @param rows row count
 * @param sum sum of the row hashes modulo 2^64
 * @param sum2 sum of the salted row hashes modulo 2^64
 * @param schema the sorted {@code name:type} list that was hashed
 */
public record ContentFingerprint(long rows, long sum, long sum2, String schema) {
  private static final String SECOND_HASH_SALT = "stagewise-fingerprint-2";

  public static ContentFingerprint of(Dataset<Row> data) {
    Row result = plan(data).first();
    return new ContentFingerprint(result.getLong(0), low64(result, 1), low64(result, 2), schemaOf(data));
  }

  /**
   * The one-row aggregation (count, exact sums of the two row hashes) behind {@link #of}, as a plan: Spark
   * SQL only, so that it runs on GPUs under Spark RAPIDS.
   */
  public static Dataset<Row> plan(Dataset<Row> data) {
    List<Column> hashed = new ArrayList<>();
    for (StructField field : sortedFields(data)) {
      hashed.add(isnull(data.col(field.name())));
      hashed.add(data.col(field.name()));
    }
    // decimal(38,0) holds the exact sum of up to ~10^19 hashes; the low 64 bits are taken on the driver.
    Column[] values = hashed.toArray(Column[]::new);
    hashed.add(0, lit(SECOND_HASH_SALT));
    return data.select(xxhash64(values).as("h"), xxhash64(hashed.toArray(Column[]::new)).as("h2"))
        .agg(count(lit(1)), exactSum("h"), exactSum("h2"));
  }

  private static Column exactSum(String hash) {
    return functions.sum(col(hash).cast(DataTypes.createDecimalType(38, 0)));
  }

  private static long low64(Row result, int field) {
    return result.isNullAt(field) ? 0L : result.getDecimal(field).toBigInteger().longValue();
  }

  private static List<StructField> sortedFields(Dataset<Row> data) {
    List<StructField> fields = new ArrayList<>(Arrays.asList(data.schema().fields()));
    fields.sort((a, b) -> a.name().compareTo(b.name()));
    return fields;
  }

  private static String schemaOf(Dataset<Row> data) {
    return sortedFields(data).stream()
        .map(f -> f.name() + ":" + f.dataType().simpleString())
        .collect(Collectors.joining(","));
  }

  /** The value stored in the manifest: the first 128 bits of SHA-256 over all four parts, in hex. */
  public String digest() {
    String canonical = schema + "\n" + rows + "\n" + Long.toHexString(sum) + "\n" + Long.toHexString(sum2);
    return ContentDigest.prefixHex(canonical.getBytes(StandardCharsets.UTF_8), 16);
  }
}
