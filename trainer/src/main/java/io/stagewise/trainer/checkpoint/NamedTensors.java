package io.stagewise.trainer.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checkpoint tensor file: a magic header, a count, then per tensor its name and DJL's own encoding of
 * the array (dtype, shape, raw bytes), so values round-trip bit for bit. Names are written separately so that
 * saving never renames the live arrays.
 */
final class NamedTensors {

  private static final String MAGIC = "stagewise.tensors";
  private static final int VERSION = 1;

  private NamedTensors() {
  }

  static void write(OutputStream stream, Map<String, NDArray> tensors) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeUTF(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(tensors.size());
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      byte[] bytes = e.getValue().encode();
      out.writeUTF(e.getKey());
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    out.flush();
  }

  /** Reads every tensor into {@code manager}; {@code source} names the file in errors. */
  static Map<String, NDArray> read(InputStream stream, NDManager manager, String source) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    String magic = in.readUTF();
    int version = in.readInt();
    if (!MAGIC.equals(magic) || version != VERSION) {
      throw new IOException(source + ": not a stagewise tensor file (header " + magic + " v" + version + ")");
    }
    int count = in.readInt();
    Map<String, NDArray> tensors = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      byte[] bytes = new byte[in.readInt()];
      in.readFully(bytes);
      tensors.put(name, NDArray.decode(manager, bytes));
    }
    return tensors;
  }
}
