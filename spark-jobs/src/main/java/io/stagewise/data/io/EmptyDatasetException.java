package io.stagewise.data.io;

/**
 * A publication refused because the dataset has no rows and its contents do not allow that
 * ({@link DatasetContents#allowEmpty()}); nothing at the target changed. A user error: the input yielded
 * nothing.
 */
public final class EmptyDatasetException extends IllegalArgumentException {
  public EmptyDatasetException(String message) {
    super(message);
  }
}
