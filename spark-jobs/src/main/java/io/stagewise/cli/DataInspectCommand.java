package io.stagewise.cli;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.ManifestCodec;
import io.stagewise.data.spec.InputPaths;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stagewise data inspect}: what a published dataset is. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Print a published dataset's manifest and its first rows (and rejected rows, if any).")
final class DataInspectCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @Parameters(index = "0", paramLabel = "DATASET", description = "The dataset's URI.")
  String uri;

  @Option(names = "--rows", defaultValue = "5", description = "Rows to show (default: ${DEFAULT-VALUE}).")
  int rows;

  @Option(names = "--poisoned", description = "Show poisoned rows only.")
  boolean poisonedOnly;

  @Override
  public Integer call() throws Exception {
    sparkOptions.progress = false;
    new InputPaths().add("DATASET", uri).requireExist(new Configuration(), "data inspect");
    SparkSession spark = sparkOptions.session("data inspect");
    try {
      PublishedDataset dataset = PublishedDataset.open(spark, uri);
      System.out.println(ManifestCodec.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(dataset.manifest()));
      var data = dataset.rows();
      if (poisonedOnly) {
        data = data.where("is_poisoned");
      }
      data.show(rows, 60, true);
      if (dataset.manifest().rejectedRows() > 0) {
        System.out.println("rejected rows (" + dataset.manifest().rejectedRows() + "):");
        dataset.rejected().show(rows, 80, true);
      }
      return 0;
    } finally {
      spark.stop();
    }
  }
}
