package io.stagewise.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns the errors a user can fix (bad specs, unreadable or damaged inputs) into one clear message on the
 * console and exit code 2, the stack trace going only to the log (conf/log4j2.properties keeps this
 * logger off the console); anything else is a bug and keeps its stack trace on the console.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(CliErrors.class);

  @Override
  public int handleExecutionException(
      Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    Throwable user = userError(e);
    if (user != null) {
      LOG.warn("user error: {}", user.getMessage(), e);
      cli.getErr().println("stagewise: " + user.getMessage());
      cli.getErr().flush();
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
