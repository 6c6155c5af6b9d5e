package io.stagewise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stagewise} command: data plane, training and sweeps, locally or on a Spark cluster. */
@Command(
    name = "stagewise",
    mixinStandardHelpOptions = true,
    version = "stagewise 0.1.0",
    description = "Multi-stage LLM post-training experiments: poisoned datasets on Spark, GPT training on DJL.",
    subcommands = {DataCommand.class, TrainCommand.class, ExportCommand.class, QuickstartCommand.class,
        SweepCommand.class, ReportCommand.class, NativesCommand.class})
public final class StagewiseCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * Exits explicitly with the command's code, except in cluster deploy mode, where {@link ProcessEnd} returns
   * or throws so the cluster records the right final status.
   */
  public static void main(String[] args) {
    ProcessEnd.end(commandLine().execute(args), System.getProperty(ProcessEnd.DEPLOY_MODE), System::exit);
  }

  /** The command line as {@link #main} runs it, with its error handling; for running commands in-process. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new StagewiseCli());
    cli.setExecutionExceptionHandler(new CliErrors());
    return cli;
  }
}
