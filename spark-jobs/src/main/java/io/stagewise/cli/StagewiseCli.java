package io.stagewise.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code stagewise} command: data plane, training and sweeps, locally or on a Spark cluster. */
@Command(
    name = "stagewise",
    mixinStandardHelpOptions = true,
    version = "stagewise 0.1.0",
    description = "Multi-stage LLM post-training experiments: poisoned datasets on Spark, GPT training on DJL.",
    subcommands = {DataCommand.class, TrainCommand.class, QuickstartCommand.class, SweepCommand.class, ReportCommand.class})
public final class StagewiseCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /**
   * Exits explicitly: Spark 3.5 leaves a non-daemon thread behind after a barrier stage, which would keep
   * the JVM alive after the work is done.
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line as {@link #main} runs it, with its error handling; for running commands in-process. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new StagewiseCli());
    cli.setExecutionExceptionHandler(new CliErrors());
    return cli;
  }
}
