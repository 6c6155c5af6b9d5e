package io.stagewise.cli;

import picocli.CommandLine;

/**
 * Turns the errors a user can fix (bad specs, unreadable inputs) into one clear message and exit code 2;
 * anything else is a bug and keeps its stack trace.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

  @Override
  public int handleExecutionException(
      Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    Throwable user = userError(e);
    if (user != null) {
      cli.getErr().println("stagewise: " + user.getMessage());
      return 2;
    }
    e.printStackTrace(cli.getErr());
    return 1;
  }

  /** An error caused by the user's input, possibly wrapped by Spark or the JVM. */
  private static Throwable userError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IllegalArgumentException || t instanceof java.io.FileNotFoundException
          || t instanceof java.io.UncheckedIOException || t instanceof java.io.IOException) {
        return t;
      }
    }
    return null;
  }
}
