package io.stagewise.sweep.plan;

import io.stagewise.data.ContentDigest;
import io.stagewise.data.manifest.ManifestReader;
import io.stagewise.trainer.data.version.DatasetResolver;
import io.stagewise.trainer.data.version.ResolvedDataset;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * What a stage key knows of the inputs outside the sweep: the content of published datasets and raw files,
 * never where they live, so a dataset republished at the same path with new rows changes every key downstream
 * of it and the same bytes moved elsewhere change none. Read once on the driver at planning time.
 *
 * <p>A published dataset is known by its manifest's content fingerprint (a small file; the rows are not read
 * again). A raw file is known by the SHA-256 of its bytes, streamed through the Hadoop file system (any URI);
 * a directory by the hashes of its visible files in name order (as importers and the corpus read it).
 *
 * <p>One instance serves one planning. It remembers each file's hash, keyed by the file's path, length and
 * modification time, because many stage nodes name the same file: every SFT seed and budget starting from
 * one {@code hf:} directory would otherwise read all its weights again (gigabytes for a large model).
 */
public final class InputContent {

  /**
   * The version of what data stages write (dataset layout, the rows a data-plane job produces from its
   * inputs). Part of every data stage's key: bump it with any change to the data plane that changes a
   * stage's output for the same inputs, so finished sweeps rebuild instead of reusing stale data.
   */
  public static final int DATA_FORMAT_VERSION = 1;

  private static final int BUFFER = 1 << 16;

  private final Configuration conf;
  private final int dataFormatVersion;
  private final Map<FileIdentity, String> fileHashes = new ConcurrentHashMap<>();
  private final LongAdder filesRead = new LongAdder();

  private InputContent(Configuration conf, int dataFormatVersion) {
    this.conf = conf;
    this.dataFormatVersion = dataFormatVersion;
  }

  /** Inputs opened with {@code conf}, keyed with the current data-format version. */
  public static InputContent of(Configuration conf) {
    return new InputContent(conf, DATA_FORMAT_VERSION);
  }

  /** The same inputs keyed with another data-format version (a fresh memory of file hashes). */
  public InputContent withDataFormatVersion(int version) {
    return new InputContent(conf, version);
  }

  /** {@link #DATA_FORMAT_VERSION}, or another value to test that bumping it rebuilds. */
  public int dataFormatVersion() {
    return dataFormatVersion;
  }

  /** How many files this instance has read to hash (each at most once per path, length and mtime). */
  long filesRead() {
    return filesRead.sum();
  }

  /**
   * The content fingerprint of the current version of the published dataset at {@code uri}.
   *
   * @throws IllegalArgumentException naming {@code field} when it has no readable manifest
   */
  public String datasetFingerprint(String field, String uri) {
    return datasetFingerprint(field, resolve(field, uri));
  }

  /**
   * The version the published dataset at {@code uri} resolves to now: what every stage reading it must read,
   * whatever is published there meanwhile.
   *
   * @throws IllegalArgumentException naming {@code field} when nothing is published there
   */
  public ResolvedDataset resolve(String field, String uri) {
    try {
      return new DatasetResolver(conf).resolve(uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  /** The content fingerprint of one resolved version, from its manifest (the rows are not read). */
  public String datasetFingerprint(String field, ResolvedDataset version) {
    try {
      return ManifestReader.read(conf, version).fingerprint();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code sha256:<hex>} over the bytes of every file {@code paths} name, in order (directories expanded).
   *
   * @throws IllegalArgumentException naming {@code field} and the path when a file cannot be read
   */
  public String filesHash(String field, List<String> paths) {
    return hash(field, paths, false);
  }

  /** As {@link #filesHash}, with each file's base name too: importers build row ids from base names. */
  public String namedFilesHash(String field, List<String> paths) {
    return hash(field, paths, true);
  }

  private String hash(String field, List<String> paths, boolean withNames) {
    MessageDigest all = ContentDigest.sha256();
    for (String uri : paths) {
      for (FileStatus file : expand(field, uri)) {
        String entry = (withNames ? file.getPath().getName() + "\0" : "") + bytesHash(field, file);
        all.update(entry.getBytes(StandardCharsets.UTF_8));
        all.update((byte) '\n');
      }
    }
    return "sha256:" + HexFormat.of().formatHex(all.digest());
  }

  /** {@code sha256:<hex>} of one file's bytes. */
  public String fileHash(String field, String uri) {
    return filesHash(field, List.of(uri));
  }

  private List<FileStatus> expand(String field, String uri) {
    Path path = new Path(uri);
    try {
      FileSystem fs = path.getFileSystem(conf);
      FileStatus status = fs.getFileStatus(path);
      if (!status.isDirectory()) {
        return List.of(status);
      }
      List<FileStatus> files = new ArrayList<>(Arrays.stream(fs.listStatus(path,
          p -> !p.getName().startsWith(".") && !p.getName().startsWith("_"))).filter(FileStatus::isFile).toList());
      files.sort(Comparator.comparing(s -> s.getPath().getName()));
      if (files.isEmpty()) {
        throw new IllegalArgumentException(field + ": directory " + uri + " has no files");
      }
      return files;
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException(field + ": no such file " + uri, e);
    } catch (IOException e) {
      throw new IllegalArgumentException(field + ": cannot read " + uri + " (" + e.getMessage() + ")", e);
    }
  }

  private String bytesHash(String field, FileStatus status) {
    return fileHashes.computeIfAbsent(FileIdentity.of(status), identity -> readHash(field, status.getPath()));
  }

  private String readHash(String field, Path file) {
    filesRead.increment();
    MessageDigest digest = ContentDigest.sha256();
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = file.getFileSystem(conf).open(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(field + ": cannot read " + file + " (" + e.getMessage() + ")", e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A file as a planning sees it: a rewrite in place changes its length or modification time. */
  private record FileIdentity(String path, long length, long modificationTime) {
    static FileIdentity of(FileStatus status) {
      return new FileIdentity(status.getPath().toString(), status.getLen(), status.getModificationTime());
    }
  }
}
