package io.stagewise.tests;

import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@code *S3IT} class runs against: an S3Proxy server on loopback, started for the class, and a
 * small local Spark whose S3A settings reach it. Test classes run one after another, so the static state
 * belongs to the class running.
 */
abstract class OnS3Proxy {
  @TempDir static Path tmp;
  static S3ProxyServer s3;
  static SparkSession spark;

  @BeforeAll
  static void startServer() throws Exception {
    s3 = S3ProxyServer.start(tmp);
    spark = s3.localSpark("s3-it");
  }

  @AfterAll
  static void stopServer() throws Exception {
    S3ProxyServer.stop(spark, s3);
  }
}
