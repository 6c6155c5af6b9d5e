package io.stagewise.data.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.data.LocalSpark;
import io.stagewise.data.manifest.TokenizerInfo;
import io.stagewise.trainer.interop.TokenRoles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported tokenizer files, read back by Hugging Face's own tokenizers library (DJL's native binding): the
 * same ids as the run's tokenizer, the chat template's tokens at their ids.
 */
class HfTokenizerFilesTest {

  private static final Map<String, String> OPTIONS =
      Map.of("addSpecialTokens", "false", "truncation", "false", "padding", "false");

  @TempDir Path dir;

  @Test
  void byteLevelIsWrittenAsAByteLevelBpeThatEncodesEveryByteAsItself() throws Exception {
    TokenizerInfo info = info(ByteLevelTokenizer.KIND, null, null, 256);
    List<org.apache.hadoop.fs.Path> files = write(info);
    assertEquals(5, files.size());
    String text = "héllo, wörld\t\u0001 ☃ \u00ff";
    try (HuggingFaceTokenizer exported = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), OPTIONS)) {
      assertArrayEquals(new ByteLevelTokenizer().encode(text), ints(exported.encode(text).getIds()));
      assertEquals(text, exported.decode(longs(new ByteLevelTokenizer().encode(text))));
      assertArrayEquals(new int[] {256, 'a', 257, 'b', 258}, ints(exported.encode("<|user|>a<|assistant|>b<|end|>")
          .getIds()));
    }
    assertEquals(256, new ObjectMapper().readTree(dir.resolve("vocab.json").toFile()).size());
    assertEquals(List.of("#version: 0.2"), Files.readAllLines(dir.resolve("merges.txt")));
    assertEquals(new TokenRoles(null, 258, 259), new HfTokenizerFiles(info, 16).roles());
  }

  @Test
  void aHuggingFaceTokenizerKeepsItsIdsAndGainsTheTemplateTokens() throws Exception {
    Path gpt2 = LocalSpark.sharedData("gpt2_tokenizer/tokenizer.json");
    byte[] bytes = Files.readAllBytes(gpt2);
    TokenizerInfo info = info(HuggingFaceTextTokenizer.KIND, gpt2.toString(), sha256(bytes), 50257);
    write(info);
    try (HuggingFaceTokenizer exported = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), OPTIONS)) {
      assertArrayEquals(new int[] {15496, 995}, ints(exported.encode("Hello world").getIds()));
      assertArrayEquals(new int[] {50257, 15496, 50258}, ints(exported.encode("<|user|>Hello<|assistant|>")
          .getIds()));
    }
    var vocab = new ObjectMapper().readTree(dir.resolve("vocab.json").toFile());
    assertEquals(50257, vocab.size());
    assertEquals(50001, Files.readAllLines(dir.resolve("merges.txt")).size(), "version line and GPT-2's merges");
  }

  @Test
  void aTokenizerChangedSinceTokenizationIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("changed.json"), "{}");
    TokenizerInfo info = info(HuggingFaceTextTokenizer.KIND, file.toString(), "0".repeat(64), 10);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> write(info));
    assertTrue(e.getMessage().contains("the tokenizer changed since the data was tokenized"), e.getMessage());
  }

  private List<org.apache.hadoop.fs.Path> write(TokenizerInfo info) throws Exception {
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path out = new org.apache.hadoop.fs.Path(dir.toUri());
    return new HfTokenizerFiles(info, 16).write(out, FileSystem.getLocal(conf).getRawFileSystem(), conf);
  }

  private static TokenizerInfo info(String kind, String source, String sha256, int base) {
    return new TokenizerInfo(kind, source, sha256, base, base + 4,
        Map.of("user", base, "assistant", base + 1, "end", base + 2, "pad", base + 3), 16, null, null);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static int[] ints(long[] ids) {
    return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
  }

  private static long[] longs(int[] ids) {
    return Arrays.stream(ids).asLongStream().toArray();
  }
}
