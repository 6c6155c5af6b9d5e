package io.stagewise.cli;

import java.util.function.IntConsumer;

/**
 * How {@code main} ends, given the command's exit code and where the driver runs.
 *
 * <p>A client-mode or local driver owns its JVM, so it exits with the code (Spark 3.5 leaves a non-daemon
 * thread behind after a barrier stage, which would keep the JVM alive). A cluster-mode driver on YARN runs
 * {@code main} on a thread of the ApplicationMaster, which reports the application's final status when
 * {@code main} returns: calling {@code System.exit} there marks a successful run FAILED and YARN retries it.
 * So in cluster mode a success returns and a failure throws, which the ApplicationMaster reports as FAILED.
 */
final class ProcessEnd {
  /** Spark sets this system property on the driver from {@code --deploy-mode} / the properties file. */
  static final String DEPLOY_MODE = "spark.submit.deployMode";

  private ProcessEnd() {
  }

  static void end(int code, String deployMode, IntConsumer exit) {
    if (!"cluster".equals(deployMode)) {
      exit.accept(code);
      return;
    }
    if (code != 0) {
      throw new CommandFailed(code);
    }
  }

  /** A cluster-mode command that failed; its message was already printed by {@link CliErrors}. */
  static final class CommandFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int code;

    CommandFailed(int code) {
      super("stagewise failed with exit code " + code + " (see the driver log above)");
      this.code = code;
    }
  }
}
