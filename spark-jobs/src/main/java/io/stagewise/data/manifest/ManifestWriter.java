package io.stagewise.data.manifest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Writes {@code _manifest.json} into a (staged) dataset directory. */
public final class ManifestWriter {
  private ManifestWriter() {}

  public static void write(FileSystem fs, Path datasetDir, Manifest manifest) throws IOException {
    try (OutputStream out = fs.create(new Path(datasetDir, Manifest.FILE_NAME), false)) {
      out.write(ManifestCodec.toJson(manifest).getBytes(StandardCharsets.UTF_8));
    }
  }
}
