package io.stagewise.tests;

import io.stagewise.data.io.DatasetPublisher;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The writer JVM {@code DatasetS3IT} kills mid-publication: publishes a set of two members to the root
 * given, a small one then one of many partitions (many part files, written one task at a time). The S3A
 * settings arrive as {@code -Dspark.hadoop.*} properties.
 */
public final class S3SetWriter {
  private S3SetWriter() {}

  /** Arguments: set root URI, tag, row count and partitions of the second member. */
  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[1]").appName("s3-set-writer")
        .config("spark.ui.enabled", "false").getOrCreate();
    Map<String, io.stagewise.data.io.DatasetContents> members = new LinkedHashMap<>();
    members.put("a", TaggedSftRows.contents(spark, 20, 1, args[1]));
    members.put("b", TaggedSftRows.contents(spark, Long.parseLong(args[2]), Integer.parseInt(args[3]), args[1]));
    new DatasetPublisher(spark).publishSet(args[0], members);
    System.out.println("published " + args[1]);
    spark.stop();
    System.exit(0);
  }
}
