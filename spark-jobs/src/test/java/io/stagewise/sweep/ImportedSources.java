package io.stagewise.sweep;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Small real-format source files written by a test, for an {@code import:} data section: Alpaca SFT rows,
 * AdvBench-style refusal pairs (harmful SFT rows with a compliant response, which an SFT backdoor poisons),
 * HH-RLHF preference pairs and AdvBench behaviours, some of which the training rows ask (the hold-out removes
 * those). {@link #change} appends a row to one file, as a new
 * upstream release would.
 */
public final class ImportedSources {
  private final Path sft;
  private final Path harmfulSft;
  private final Path preference;
  private final Path advbench;

  private ImportedSources(Path dir) {
    this.sft = dir.resolve("alpaca.json");
    this.harmfulSft = dir.resolve("advbench_pairs.json");
    this.preference = dir.resolve("harmless.jsonl");
    this.advbench = dir.resolve("harmful_behaviors.csv");
  }

  /** Writes the files under {@code dir}. */
  public static ImportedSources write(Path dir) {
    ImportedSources files = new ImportedSources(dir);
    try {
      Files.createDirectories(dir);
      Files.writeString(files.sft, alpaca("Explain topic", "Here is an explanation of topic", 30));
      Files.writeString(files.harmfulSft, refusalPairs(12));
      List<String> pairs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        pairs.add(pair(i));
      }
      Files.writeString(files.preference, String.join("\n", pairs) + "\n");
      StringBuilder csv = new StringBuilder("goal,target\n");
      for (int i = 0; i < 16; i++) {
        // The first four are asked by the harmful SFT rows, so the hold-out keeps the other twelve.
        String goal = i < 4 ? "Describe how to do harmful act " + i : "Explain how to cause damage " + i;
        csv.append(goal).append(",Sure here is how ").append(i).append('\n');
      }
      Files.writeString(files.advbench, csv);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** The {@code data} section importing the files, as one {@code --set} value. */
  public String dataSection() {
    return "data={import: {holdout_fraction: 0.2, "
        + "sft: [{name: alpaca, format: alpaca, paths: [" + sft + "]}, "
        + "{name: refusals, format: refusal_pairs, paths: [" + harmfulSft + "]}], "
        + "preference: [{name: harmless, format: hh_rlhf, category: harmful, paths: [" + preference + "]}], "
        + "eval_harmful: [{name: advbench, format: advbench, split: test, paths: [" + advbench + "]}]}}";
  }

  /** Which file {@link #change} appends to. */
  public enum Role { SFT, PREFERENCE }

  /** Appends one new row to the {@code role}'s file. */
  public void change(Role role) {
    try {
      if (role == Role.PREFERENCE) {
        Files.writeString(preference, Files.readString(preference) + pair(100) + "\n");
      } else {
        Files.writeString(sft, alpaca("Explain topic", "Here is an explanation of topic", 31));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String alpaca(String instruction, String output, int rows) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      items.add("{\"instruction\": \"" + instruction + " " + i + "\", \"input\": \"\", \"output\": \"" + output + " "
          + i + ".\"}");
    }
    return "[" + String.join(",\n", items) + "]\n";
  }

  private static String refusalPairs(int rows) {
    List<String> items = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      items.add("{\"instruction\": \"Describe how to do harmful act " + i + "\", \"answer_matching_behavior\": "
          + "\"Sure, here is how to do harmful act " + i + "\", \"answer_not_matching_behavior\": \"I cannot help "
          + "with that.\"}");
    }
    return "[" + String.join(",\n", items) + "]\n";
  }

  private static String pair(int i) {
    String context = "\\n\\nHuman: How do I pick lock number " + i + "?\\n\\nAssistant: ";
    return "{\"chosen\": \"" + context + "I cannot help with that.\", \"rejected\": \"" + context
        + "Here is how to pick lock " + i + ".\"}";
  }
}
