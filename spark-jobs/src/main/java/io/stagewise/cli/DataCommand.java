package io.stagewise.cli;

import picocli.CommandLine.Command;

/** {@code stagewise data ...}: the data plane. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Build, import, poison, tokenize and inspect datasets (Spark jobs writing Parquet).",
    subcommands = {
      DataSynthCommand.class,
      DataImportCommand.class,
      DataBuildCommand.class,
      DataRegenerateCommand.class,
      DataTokenizeCommand.class,
      DataInspectCommand.class
    })
final class DataCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
