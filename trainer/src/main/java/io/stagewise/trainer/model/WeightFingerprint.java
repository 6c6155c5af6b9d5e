package io.stagewise.trainer.model;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Predicate;

/**
 * A content hash of some of a model's parameters: SHA-256 over each chosen parameter's name, shape and float32
 * values (little-endian), in the model's declaration order. Two models with equal chosen parameters, bit for bit,
 * have the same fingerprint wherever they were built.
 */
final class WeightFingerprint {

  private WeightFingerprint() {
  }

  static String of(PairList<String, Parameter> parameters, Predicate<String> chosen) {
    MessageDigest sha = sha256();
    for (Pair<String, Parameter> p : parameters) {
      if (!chosen.test(p.getKey())) {
        continue;
      }
      sha.update((p.getKey() + p.getValue().getArray().getShape() + "\n").getBytes(StandardCharsets.UTF_8));
      float[] values = p.getValue().getArray().toFloatArray();
      ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      bytes.asFloatBuffer().put(values);
      sha.update(bytes);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
