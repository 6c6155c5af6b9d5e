package io.stagewise.trainer.collective;

/**
 * A collective operation or the forming of the group failed. The message names the peer (rank and address)
 * that caused it whenever that is known.
 */
public class CollectiveException extends RuntimeException {

  public CollectiveException(String message) {
    super(message);
  }

  public CollectiveException(String message, Throwable cause) {
    super(message, cause);
  }
}
