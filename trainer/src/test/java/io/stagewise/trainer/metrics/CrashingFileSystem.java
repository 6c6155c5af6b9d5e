package io.stagewise.trainer.metrics;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code crashfs}, which dies at its N-th mutating call (creating a file,
 * closing a written file, renaming, deleting), as the process would if it crashed right there: that call and
 * every later one fail, and a file whose close failed keeps only what reached the disk. It can also refuse to
 * rename over an existing file, as HDFS does. It records the names of the files it was asked to create.
 */
public final class CrashingFileSystem extends RawLocalFileSystem {

  public static final String SCHEME = "crashfs";
  private static final URI ROOT = URI.create(SCHEME + ":///");

  private static int callsLeft = -1;
  private static boolean renameOverwrites = true;
  private static final List<String> created = new ArrayList<>();

  /** A Hadoop configuration that maps {@code crashfs://} to this class (one fresh instance per lookup). */
  public static Configuration configuration() {
    Configuration conf = new Configuration();
    conf.set("fs." + SCHEME + ".impl", CrashingFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
    return conf;
  }

  /** {@code local} (an absolute local path) under this file system. */
  public static Path at(java.nio.file.Path local) {
    return new Path(SCHEME + "://" + local.toAbsolutePath());
  }

  /** The {@code call}-th mutating call from now (1-based) and all later ones fail; 0 never fails. */
  public static synchronized void crashAtCall(int call, boolean overwritingRename) {
    callsLeft = call == 0 ? -1 : call;
    renameOverwrites = overwritingRename;
    created.clear();
  }

  /** Whether the crash has happened. */
  public static synchronized boolean crashed() {
    return callsLeft == 0;
  }

  /** Names of the files created since the last {@link #crashAtCall}. */
  public static synchronized List<String> createdNames() {
    return List.copyOf(created);
  }

  private static synchronized void call(String what) throws IOException {
    if (callsLeft == 0) {
      throw new IOException("crashfs: the process is gone (" + what + ")");
    }
    if (callsLeft > 0 && --callsLeft == 0) {
      throw new IOException("crashfs: injected crash at " + what);
    }
  }

  @Override
  public URI getUri() {
    return ROOT;
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    created(f);
    return dying(super.create(f, overwrite, bufferSize, replication, blockSize, progress), f);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    created(f);
    return dying(super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress), f);
  }

  private static void created(Path f) throws IOException {
    call("create " + f);
    synchronized (CrashingFileSystem.class) {
      created.add(f.getName());
    }
  }

  private static FSDataOutputStream dying(FSDataOutputStream out, Path f) throws IOException {
    return new FSDataOutputStream(new DiesOnClose(out, f), null);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    call("rename " + src + " -> " + dst);
    if (!renameOverwrites && exists(dst)) {
      return false;
    }
    return super.rename(src, dst);
  }

  @Override
  public boolean delete(Path p, boolean recursive) throws IOException {
    call("delete " + p);
    return super.delete(p, recursive);
  }

  /** A written file whose close can be the crash: the bytes still buffered in the process are then lost. */
  private static final class DiesOnClose extends FilterOutputStream {
    private final Path file;

    DiesOnClose(OutputStream out, Path file) {
      super(out);
      this.file = file;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      call("close " + file);
      out.close();
    }
  }
}
