package io.stagewise.cli;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.importer.ImportJob;
import io.stagewise.data.importer.ImportSpec;
import io.stagewise.data.importer.SourceFormat;
import io.stagewise.data.importer.SourceSpec;
import io.stagewise.data.spec.YamlSpecs;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stagewise data import}: real data to the normalised schemas. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    description = {
      "Import real data into a normalised dataset (sft, preference or prompts). Malformed rows are kept under"
          + " _rejected/ with their file, line and reason, and counted in the manifest.",
      "Formats: hh_rlhf (JSONL[.gz] transcripts), alpaca (JSON array), advbench (CSV goal,target),"
          + " refusal_pairs (harmful prompt / refusal / harmful completion files), parquet."
    })
final class DataImportCommand implements Callable<Integer> {
  @Mixin SparkOptions sparkOptions;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Input input;

  @Option(names = "--allow-empty",
      description = "Publish even when no row is imported. Without it such an import fails and the dataset"
          + " already at the output stays as it was.")
  boolean allowEmpty;

  static final class Input {
    @Option(names = "--spec", paramLabel = "SPEC.yaml",
        description = "An import spec (output, kind, sources[]) for several sources at once.")
    String specPath;

    @ArgGroup(exclusive = false)
    OneSource one;
  }

  static final class OneSource {
    @Option(names = "--format", required = true, description = "hh_rlhf, alpaca, advbench, refusal_pairs or parquet.")
    String format;

    @Option(names = "--kind", required = true, description = "sft, preference or prompts.")
    String kind;

    @Option(names = "--out", required = true, description = "Output URI.")
    String out;

    @Option(names = "--name", description = "Source name (the source column and the id prefix); default: the format.")
    String name;

    @Option(names = "--split", description = "train (default) or test.")
    String split;

    @Option(names = "--category", description = "benign or harmful (default depends on the format).")
    String category;

    @Option(names = "--completions",
        description = "refusal_pairs: a file of harmful completions joined on the prompt.")
    String completions;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Input files or directories (any Hadoop URI).")
    List<String> paths;
  }

  @Override
  public Integer call() throws Exception {
    ImportSpec spec = input.specPath != null
        ? ImportSpec.parse(YamlSpecs.read(new Configuration(), input.specPath), input.specPath)
        : fromFlags(input.one);
    if (allowEmpty) {
      spec = spec.withAllowEmpty(true);
    }
    SparkSession spark = sparkOptions.session("data import");
    try {
      System.out.println("published " + ImportJob.run(spark, spec));
      System.out.flush();
      return 0;
    } finally {
      sparkOptions.release(spark);
    }
  }

  private static ImportSpec fromFlags(OneSource one) {
    SourceFormat format = SourceFormat.fromWireName(one.format);
    SourceSpec source = new SourceSpec(one.name == null ? format.wireName() : one.name, format, one.paths,
        one.split, one.category, one.completions, null);
    return new ImportSpec(one.out, DatasetKind.fromWireName(one.kind), List.of(source));
  }
}
