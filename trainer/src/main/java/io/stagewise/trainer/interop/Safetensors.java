package io.stagewise.trainer.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format, from its published description: an unsigned 64-bit little-endian header length N, N
 * bytes of UTF-8 JSON mapping each tensor name to {@code {dtype, shape, data_offsets: [begin, end]}} (offsets
 * relative to the end of the header; an optional {@code __metadata__} map of strings), then the raw
 * little-endian data. Written as float32 in the given order, the header padded with spaces to a multiple of 8
 * bytes as the reference writer does; read from F32 or BF16 (a bfloat16 is the top half of a float32, so
 * widening is exact). Anything else, overlapping or uncovered data, or a truncated file is refused.
 */
public final class Safetensors {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String METADATA = "__metadata__";
  /** Headers beyond this are refused rather than allocated (the reference reader's limit is 100 MB). */
  private static final long MAX_HEADER = 100L << 20;

  private Safetensors() {
  }

  public static void write(OutputStream out, Map<String, HostTensor> tensors) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.putObject(METADATA).put("format", "pt");
    long offset = 0;
    for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", "F32");
      long[] shape = e.getValue().shape();
      var dims = entry.putArray("shape");
      for (long d : shape) {
        dims.add(d);
      }
      long end = offset + 4L * e.getValue().values().length;
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    StringBuilder text = new StringBuilder(JSON.writeValueAsString(header));
    while (text.toString().getBytes(StandardCharsets.UTF_8).length % 8 != 0) {
      text.append(' ');
    }
    byte[] headerBytes = text.toString().getBytes(StandardCharsets.UTF_8);
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).array());
    out.write(headerBytes);
    for (HostTensor tensor : tensors.values()) {
      ByteBuffer data = ByteBuffer.allocate(4 * tensor.values().length).order(ByteOrder.LITTLE_ENDIAN);
      data.asFloatBuffer().put(tensor.values());
      out.write(data.array());
    }
    out.flush();
  }

  /** Every tensor of the file, widened to float32, in header order; {@code source} names the file in errors. */
  public static Map<String, HostTensor> read(InputStream stream, String source) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    byte[] lengthBytes = new byte[8];
    readFully(in, lengthBytes, source, "the header length");
    long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength <= 0 || headerLength > MAX_HEADER) {
      throw new IOException(source + ": not a safetensors file (header length " + headerLength + ")");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    readFully(in, headerBytes, source, "the header");
    JsonNode header;
    try {
      header = JSON.readTree(headerBytes);
    } catch (IOException e) {
      throw new IOException(source + ": safetensors header is not JSON: " + e.getMessage(), e);
    }
    List<Map.Entry<String, JsonNode>> entries = sortedByOffset(header, source);
    Map<String, HostTensor> tensors = new LinkedHashMap<>();
    long position = 0;
    for (Map.Entry<String, JsonNode> e : entries) {
      tensors.put(e.getKey(), tensor(in, e.getKey(), e.getValue(), position, source));
      position = e.getValue().get("data_offsets").get(1).asLong();
    }
    return tensors;
  }

  private static List<Map.Entry<String, JsonNode>> sortedByOffset(JsonNode header, String source)
      throws IOException {
    if (!header.isObject()) {
      throw new IOException(source + ": safetensors header is not a JSON object");
    }
    List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getKey().equals(METADATA)) {
        JsonNode offsets = e.getValue().path("data_offsets");
        if (!offsets.isArray() || offsets.size() != 2 || !e.getValue().path("shape").isArray()) {
          throw new IOException(source + ": tensor " + e.getKey() + " lacks shape or data_offsets");
        }
        entries.add(e);
      }
    }
    entries.sort((a, b) -> Long.compare(a.getValue().get("data_offsets").get(0).asLong(),
        b.getValue().get("data_offsets").get(0).asLong()));
    return entries;
  }

  private static HostTensor tensor(DataInputStream in, String name, JsonNode entry, long position, String source)
      throws IOException {
    long begin = entry.get("data_offsets").get(0).asLong();
    long end = entry.get("data_offsets").get(1).asLong();
    if (begin != position) {
      throw new IOException(source + ": tensor " + name + " starts at byte " + begin + " of the data, expected "
          + position + " (the data must be covered without gaps or overlaps)");
    }
    long[] shape = new long[entry.get("shape").size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = entry.get("shape").get(i).asLong();
      count *= shape[i];
    }
    String dtype = entry.path("dtype").asText();
    int width = switch (dtype) {
      case "F32" -> 4;
      case "BF16" -> 2;
      default -> throw new IOException(source + ": tensor " + name + " has dtype " + dtype
          + "; only F32 and BF16 are read");
    };
    if (end - begin != count * width) {
      throw new IOException(source + ": tensor " + name + " has " + (end - begin) + " bytes for " + count + " "
          + dtype + " values");
    }
    byte[] raw = new byte[Math.toIntExact(end - begin)];
    readFully(in, raw, source, "tensor " + name);
    ByteBuffer data = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    float[] values = new float[Math.toIntExact(count)];
    for (int i = 0; i < values.length; i++) {
      values[i] = width == 4 ? data.getFloat() : Float.intBitsToFloat((data.getShort() & 0xffff) << 16);
    }
    return new HostTensor(shape, values);
  }

  private static void readFully(DataInputStream in, byte[] into, String source, String what) throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new IOException(source + ": safetensors file ends inside " + what, e);
    }
  }
}
