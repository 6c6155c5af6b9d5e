package io.stagewise.data.importer;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Resolves and checks a source's input files on the driver before any Spark job starts, so that a missing
 * file or a {@code .gz} that is not gzip fails at once with the file's name instead of deep in a task.
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * The fully qualified URIs of {@code paths}: a directory expands to its visible files in name order.
   *
   * @throws IllegalArgumentException naming the file that is missing, not gzip, or whose base name is
   *     shared by another file of the source (ids are derived from base names)
   */
  public static List<String> resolve(Configuration conf, String sourceName, List<String> paths) {
    List<String> files = new ArrayList<>();
    try {
      for (String uri : paths) {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(conf);
        for (FileStatus file : expand(fs, path)) {
          checkReadable(fs, file.getPath());
          files.add(file.getPath().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read source '" + sourceName + "': " + e.getMessage(), e);
    }
    Map<String, String> byName = new HashMap<>();
    for (String file : files) {
      String clash = byName.put(fileName(file), file);
      if (clash != null) {
        throw new IllegalArgumentException("source '" + sourceName + "': " + clash + " and " + file
            + " share the base name " + fileName(file) + ", which row ids are built from; give each its own source");
      }
    }
    return files;
  }

  /** The rows of all files, file after file (Spark keeps partition order in a union). */
  @SuppressWarnings("unchecked")
  public static <T> JavaRDD<T> union(JavaSparkContext jsc, List<JavaRDD<T>> perFile) {
    return perFile.size() == 1 ? perFile.get(0) : jsc.union(perFile.toArray(new JavaRDD[0]));
  }

  public static String fileName(String uri) {
    return new Path(uri).getName();
  }

  static boolean isGzip(String uri) {
    return uri.endsWith(".gz");
  }

  /**
   * The user-facing error for a file that cannot be read to its end: one line naming the file and what is
   * wrong with it (a truncated or corrupt {@code .gz} above all), the cause kept for the log.
   */
  public static UncheckedIOException unreadable(String file, Throwable e) {
    IOException io = e instanceof IOException direct ? direct : findIo(e);
    String what;
    if (io instanceof java.io.EOFException) {
      what = isGzip(file) ? "the gzip data ends early (truncated file?)" : "the file ends early (truncated?)";
    } else if (io instanceof java.util.zip.ZipException || isGzip(file) && io != null) {
      what = "corrupt gzip data (" + io.getMessage() + ")";
    } else {
      what = io != null ? io.getMessage() : String.valueOf(e.getMessage());
    }
    return new UncheckedIOException("cannot read " + file + ": " + what,
        io != null ? io : new IOException(e.getMessage(), e));
  }

  private static IOException findIo(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException io) {
        return io;
      }
    }
    return null;
  }

  /** Wraps {@code in} in a gzip decoder when the file is named {@code .gz}. */
  static InputStream decoded(String uri, InputStream in) throws IOException {
    return isGzip(uri) ? new GZIPInputStream(in, 1 << 16) : in;
  }

  private static List<FileStatus> expand(FileSystem fs, Path path) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("input file not found: " + path
          + io.stagewise.data.spec.DriverReach.hint(path), e);
    }
    if (!status.isDirectory()) {
      return List.of(status);
    }
    FileStatus[] children = fs.listStatus(path,
        p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"));
    List<FileStatus> files = new ArrayList<>(Arrays.stream(children).filter(FileStatus::isFile).toList());
    files.sort(Comparator.comparing(s -> s.getPath().getName()));
    if (files.isEmpty()) {
      throw new IllegalArgumentException("input directory has no files: " + path);
    }
    return files;
  }

  private static void checkReadable(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      if (isGzip(file.toString())) {
        int b1 = in.read();
        int b2 = in.read();
        if (b1 != 0x1f || b2 != 0x8b) {
          throw new IllegalArgumentException("input file is named .gz but is not gzip: " + file);
        }
      }
    }
  }
}
