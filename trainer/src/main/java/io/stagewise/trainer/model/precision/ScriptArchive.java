package io.stagewise.trainer.model.precision;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A TorchScript module written from Java: the archive libtorch's {@code torch::jit::load} reads, built from the
 * forward method's source text, for a module whose only state is its training flag. No Python is needed.
 *
 * <p>Why this exists: DJL (0.33 to 0.36) has no bf16 entry in its JNI data-type table, so any bf16 tensor that
 * crosses into Java ({@code zeros(..., BFLOAT16)}, {@code toType(BFLOAT16)}) terminates the JVM. A scripted
 * module can cast to bf16, multiply and cast back inside libtorch, so DJL only ever sees its fp32 inputs and
 * outputs while autograd still runs through the bf16 products (docs/architecture.md, "bf16 and the DJL
 * version").
 *
 * <p>The format is libtorch's own (archive layout version 3, what {@code torch.jit.save} writes): a zip of
 * stored entries {@code version}, {@code constants.pkl} (an empty tuple), {@code code/__torch__.py} (the class
 * source) and {@code data.pkl} (a pickle of the module object). It loads in libtorch 2.5.1 and 2.7.1 (the
 * probe in bench/bf16-probe checks both). In TorchScript source dtypes are c10::ScalarType codes: 15 is
 * bfloat16, 6 is float32.
 */
public final class ScriptArchive {

  /** c10::ScalarType code of bfloat16 in TorchScript source. */
  public static final int BF16 = 15;
  /** c10::ScalarType code of float32 in TorchScript source. */
  public static final int FP32 = 6;

  private ScriptArchive() {
  }

  /** TorchScript source casting the tensor expression {@code expr} to bfloat16. */
  static String toBf16(String expr) {
    return "torch.to(" + expr + ", " + BF16 + ")";
  }

  /** TorchScript source casting the tensor expression {@code expr} to float32. */
  static String toFp32(String expr) {
    return "torch.to(" + expr + ", " + FP32 + ")";
  }

  /**
   * Loads {@code class name(Module)} whose {@code forward(self, parameters) -> Tensor} has {@code body} (lines
   * indented by four spaces) into libtorch; the block belongs to {@code manager}.
   */
  public static PtSymbolBlock load(NDManager manager, String name, String parameters, String body) {
    String code = String.join("\n",
        "class " + name + "(Module):",
        "  __parameters__ = []",
        "  __buffers__ = []",
        "  training : bool",
        "  def forward(self: __torch__." + name + ", " + parameters + ") -> Tensor:",
        body,
        "");
    byte[] archive = write(name, code.getBytes(StandardCharsets.UTF_8));
    try {
      return JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive), true, false);
    } catch (IOException e) {
      throw new UncheckedIOException("libtorch did not load the scripted module " + name, e);
    }
  }

  /** The archive's bytes for the module class {@code name} with the given source. */
  static byte[] write(String name, byte[] code) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      entry(zip, "module/version", "3".getBytes(StandardCharsets.US_ASCII));
      entry(zip, "module/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'}); // pickle: empty tuple
      entry(zip, "module/code/__torch__.py", code);
      entry(zip, "module/data.pkl", moduleObject(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /** Pickle protocol 2 of {@code __torch__.NAME} with the state {"training": True}. */
  private static byte[] moduleObject(String name) {
    ByteArrayOutputStream pickle = new ByteArrayOutputStream();
    pickle.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
    pickle.writeBytes(("__torch__\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    pickle.writeBytes(new byte[] {')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0});
    pickle.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
    pickle.writeBytes(new byte[] {(byte) 0x88, 'u', 'b', '.'});
    return pickle.toByteArray();
  }

  /** Stored uncompressed, as torch.jit.save writes its entries. */
  private static void entry(ZipOutputStream zip, String path, byte[] data) throws IOException {
    ZipEntry entry = new ZipEntry(path);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(data.length);
    CRC32 crc = new CRC32();
    crc.update(data);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(data);
    zip.closeEntry();
  }
}
