package io.stagewise.cli;

import io.stagewise.trainer.checkpoint.ModelCheckpoint;
import java.net.URI;

/**
 * A run's {@code init} as written: a checkpoint path or URI, or {@code hf:PATH} for a Hugging Face directory.
 * Relative paths are made absolute here, on the machine that reads the spec.
 */
public final class InitLocation {

  private static final String HF_PREFIX = ModelCheckpoint.HF_SCHEME + ":";

  private InitLocation() {
  }

  /** The location the trainer reads ({@link ModelCheckpoint#at}). */
  public static URI uri(String written) {
    return written.startsWith(HF_PREFIX)
        ? ModelCheckpoint.hfLocation(TrainCommand.uri(written.substring(HF_PREFIX.length())))
        : TrainCommand.uri(written);
  }

  /** The directory that must exist: a Hugging Face directory's own path, or the checkpoint's. */
  static String directory(String written) {
    return written.startsWith(HF_PREFIX) ? written.substring(HF_PREFIX.length()) : written;
  }
}
