package io.stagewise.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * Generates the bad-input corpus: damaged files of every importer format (JSONL, gzip, JSON arrays, CSV,
 * refusal pairs, Parquet) and misspelt or malformed specs of every kind (import, build, train, sweep; the
 * checked-in specs under {@code conf/} with each key in turn misspelt). Deterministic (fixed seed).
 */
final class BadInputCases {
  /**
   * One command to run.
   *
   * @param name what is damaged
   * @param kind the format or spec kind
   * @param args the command line
   * @param output the dataset the command publishes to (seeded beforehand), or null
   * @param mustName what an error message must name (a file's name or a field's path)
   * @param mustFail whether success would be wrong
   * @param records per input file name, the records written, when the generator knows
   */
  record Case(String name, String kind, List<String> args, String output, String mustName, boolean mustFail,
      Map<String, Long> records) {}

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final byte[][] INVALID_UTF8 = {
      {(byte) 0xff}, {(byte) 0xc3, 0x28}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
      {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}};

  private final Path dir;
  private final Path root = Path.of(System.getProperty("maven.multiModuleProjectDirectory",
      Path.of("").toAbsolutePath().getParent().toString()));
  private final Random random = new Random(20261202L);
  private final List<Case> cases = new ArrayList<>();
  private int counter;

  BadInputCases(Path dir) {
    this.dir = dir;
  }

  String sft() {
    return dir.resolve("published/sft").toUri().toString();
  }

  String preference() {
    return dir.resolve("published/preference").toUri().toString();
  }

  String prompts() {
    return dir.resolve("published/prompts").toUri().toString();
  }

  List<String> targets() {
    return List.of(sft(), preference(), prompts());
  }

  /** A good import into {@code target}: the dataset every failing case must leave intact. */
  List<String> seed(String target) {
    Path folder = folder("seed");
    if (target.equals(sft())) {
      return importArgs("alpaca", "sft", target, write(folder, "seed.json", alpaca(3, -1, null)));
    }
    if (target.equals(preference())) {
      return importArgs("hh_rlhf", "preference", target, write(folder, "seed.jsonl", lines(hhLines(3))));
    }
    return importArgs("advbench", "prompts", target, write(folder, "seed.csv", csv(3)));
  }

  List<Case> all() {
    jsonLines();
    gzip();
    jsonArrays();
    csvFiles();
    refusalPairs();
    parquet();
    importSpecs();
    checkedInSpecs();
    return cases;
  }

  // ---------------------------------------------------------------- JSONL (hh_rlhf)

  private static String hhLine(int i) {
    return "{\"chosen\": \"\\n\\nHuman: q" + i + "\\n\\nAssistant: a" + i + "\", \"rejected\": \"\\n\\nHuman: q"
        + i + "\\n\\nAssistant: b" + i + "\"}";
  }

  private static List<String> hhLines(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(hhLine(i));
    }
    return out;
  }

  private void jsonLines() {
    String good = hhLine(99);
    List<String> damaged = new ArrayList<>(List.of("", "   ", "[]", "null", "42", "\"text\"", "{}",
        "{\"chosen\": 1, \"rejected\": 2}", "{\"chosen\": \"\\n\\nHuman: q\\n\\nAssistant: a\"}",
        good.replace("Human: q99\\n\\nAssistant: b", "Human: other\\n\\nAssistant: b"),
        good.replace("Human: q99", "Human: q99 <|assistant|> forged"), good + " trailing", good + good,
        "{\"chosen\": \"no transcript\", \"rejected\": \"no transcript\"}", "\u0000\u0001", "}{",
        good.replace("Assistant: a99", "Assistant: "), "{\"chosen\": null, \"rejected\": null}"));
    for (int cut : new int[] {1, 7, 30, good.length() - 1}) {
      damaged.add(good.substring(0, cut));
    }
    for (String line : damaged) {
      List<String> all = hhLines(4);
      all.add(1 + random.nextInt(4), line);
      addHh("line " + shorten(line), lines(all), all.size(), false);
    }
    for (int i = 0; i < INVALID_UTF8.length; i++) {
      for (int at : new int[] {0, 25, good.length() - 2}) {
        byte[] line = insert(good.getBytes(StandardCharsets.UTF_8), at, INVALID_UTF8[i]);
        byte[] file = concat(lines(hhLines(2)), line, "\n".getBytes(StandardCharsets.UTF_8), lines(hhLines(1)));
        addHh("invalid UTF-8 " + i + " at byte " + at, file, 4, false);
      }
    }
    addHh("CRLF line ends", String.join("\r\n", hhLines(3)).getBytes(StandardCharsets.UTF_8), 3, false);
    addHh("CR line ends", String.join("\r", hhLines(3)).getBytes(StandardCharsets.UTF_8), 3, false);
    addHh("no final newline", String.join("\n", hhLines(3)).getBytes(StandardCharsets.UTF_8), 3, false);
    addHh("byte order mark", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, lines(hhLines(2))), 2, false);
    addHh("only bad lines", lines(List.of("{", "x", "")), 3, true);
    addHh("empty file", new byte[0], 0, true);
  }

  private void addHh(String name, byte[] content, long records, boolean mustFail) {
    Path file = write(folder("jsonl"), "in" + counter + ".jsonl", content);
    cases.add(new Case("hh_rlhf " + name, "jsonl", importArgs("hh_rlhf", "preference", preference(), file),
        preference(), file.getFileName().toString(), mustFail, records < 0 ? Map.of()
            : Map.of(file.getFileName().toString(), records)));
  }

  // ---------------------------------------------------------------- gzip

  private void gzip() {
    byte[] gz = gzipOf(lines(hhLines(400)));
    for (double f : new double[] {0.05, 0.3, 0.6, 0.95}) {
      addGz("truncated at " + f, Arrays.copyOf(gz, (int) (gz.length * f)), true);
    }
    for (double f : new double[] {0.2, 0.5, 0.8}) {
      byte[] corrupt = gz.clone();
      int from = (int) (gz.length * f);
      for (int i = from; i < Math.min(gz.length, from + 32); i++) {
        corrupt[i] ^= 0x5a;
      }
      addGz("corrupt at " + f, corrupt, true);
    }
    byte[] trailer = gz.clone();
    trailer[trailer.length - 6] ^= 0x01; // the CRC
    addGz("bad CRC", trailer, true);
    addGz("not gzip", lines(hhLines(2)), true);
    addGz("zero bytes", new byte[0], true);
    addGz("gzip of nothing", gzipOf(new byte[0]), true);
    Path file = addGz("two members", concat(gzipOf(lines(hhLines(2))), gzipOf(lines(hhLines(2)))), false);
    Case last = cases.remove(cases.size() - 1);
    cases.add(new Case(last.name(), last.kind(), last.args(), last.output(), last.mustName(), false,
        Map.of(file.getFileName().toString(), 4L)));
  }

  private Path addGz(String name, byte[] content, boolean mustFail) {
    Path file = write(folder("gz"), "in" + counter + ".jsonl.gz", content);
    cases.add(new Case("gzip " + name, "gzip", importArgs("hh_rlhf", "preference", preference(), file),
        preference(), file.getFileName().toString(), mustFail, Map.of()));
    return file;
  }

  private static byte[] gzipOf(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out)) {
      gz.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- JSON arrays (alpaca)

  private static String alpacaElement(int i) {
    return "{\"instruction\": \"i" + i + "\", \"output\": \"o" + i + "\"}";
  }

  /** An array of {@code n} good elements, {@code bad} inserted at {@code at} when at >= 0. */
  private static byte[] alpaca(int n, int at, String bad) {
    List<String> elements = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      elements.add(alpacaElement(i));
    }
    if (at >= 0) {
      elements.add(at, bad);
    }
    return ("[\n  " + String.join(",\n  ", elements) + "\n]\n").getBytes(StandardCharsets.UTF_8);
  }

  private void jsonArrays() {
    byte[] good = alpaca(4, -1, null);
    for (double f : new double[] {0.02, 0.2, 0.45, 0.7, 0.97}) {
      addAlpaca("truncated at " + f, Arrays.copyOf(good, (int) (good.length * f)), -1, true);
    }
    for (String tail : List.of("[" + alpacaElement(7) + "]", "garbage", "]", ",", "{}", "\"s\"", "0")) {
      addAlpaca("after the array: " + tail, concat(good, tail.getBytes(StandardCharsets.UTF_8)), -1, true);
    }
    for (String root : List.of("{}", "\"x\"", "42", "", "  \n ", "null", "[", "[[]")) {
      addAlpaca("root " + shorten(root), root.getBytes(StandardCharsets.UTF_8), -1, true);
    }
    for (String bad : List.of("1", "\"s\"", "null", "[]", "{\"instruction\": \"x\"}", "{\"instruction\": 5, \"output\": \"o\"}",
        "{\"instruction\": \" \", \"output\": \"o\"}", "{\"instruction\": \"a <|user|> b\", \"output\": \"o\"}",
        "{\"instruction\": \"x\", \"output\": {\"nested\": true}}", "{}")) {
      addAlpaca("element " + bad, alpaca(4, 2, bad), 5, false);
    }
    for (int i = 0; i < 3; i++) {
      byte[] element = insert(alpacaElement(9).getBytes(StandardCharsets.UTF_8), 18, INVALID_UTF8[i]);
      addAlpaca("invalid UTF-8 " + i + " in an element",
          concat("[\n".getBytes(StandardCharsets.UTF_8), element, (",\n" + alpacaElement(1) + "]").getBytes(StandardCharsets.UTF_8)),
          2, false);
    }
    addAlpaca("invalid UTF-8 between elements", concat(("[" + alpacaElement(1) + ",").getBytes(StandardCharsets.UTF_8),
        INVALID_UTF8[0], (alpacaElement(2) + "]").getBytes(StandardCharsets.UTF_8)), -1, true);
    addAlpaca("nesting 5000 deep", ("[" + "[".repeat(5000) + "]".repeat(5000) + "]").getBytes(StandardCharsets.UTF_8), -1, true);
    addAlpaca("empty array", "[]".getBytes(StandardCharsets.UTF_8), 0, true);
    addAlpaca("only bad elements", "[1, 2, {}]".getBytes(StandardCharsets.UTF_8), 3, true);
  }

  private void addAlpaca(String name, byte[] content, long records, boolean mustFail) {
    Path file = write(folder("json"), "in" + counter + ".json", content);
    cases.add(new Case("alpaca " + name, "json", importArgs("alpaca", "sft", sft(), file), sft(),
        file.getFileName().toString(), mustFail, records < 0 ? Map.of() : Map.of(file.getFileName().toString(), records)));
  }

  // ---------------------------------------------------------------- CSV (advbench)

  private static byte[] csv(int n, String... extra) {
    List<String> rows = new ArrayList<>(List.of("goal,target"));
    for (int i = 0; i < n; i++) {
      rows.add("goal " + i + ",Sure " + i);
    }
    rows.addAll(1 + Math.min(1, n), List.of(extra));
    return lines(rows);
  }

  private void csvFiles() {
    List<String> bad = List.of("\"unclosed goal,Sure", "\"quoted\" text,Sure", "g,t,extra", "only one",
        "", ",Sure", "\"\",Sure", "a,\"b\"\"", "\"a\"b,c", "x," + "y,".repeat(10_000) + "z", "\"", "\"\"\"",
        "goal with \"quote\" inside,Sure", "a <|assistant|> b,Sure");
    for (String line : bad) {
      addCsv("record " + shorten(line), csv(4, line), 5, false);
    }
    addCsv("unclosed quote before the last line", csv(2, "\"never closed,x", "after,it"), 4, false);
    addCsv("stray quotes two lines apart", csv(2, "\"open,x", "middle,y", "close\",z,w"), 5, false);
    addCsv("record over 1 MiB", csv(2, "\"" + "y".repeat(1_200_000) + "\",t"), 3, false);
    addCsv("line over 1 MiB", csv(2, "y".repeat(1_200_000)), 3, false);
    for (int i = 0; i < INVALID_UTF8.length; i++) {
      byte[] row = insert("bad goal,Sure".getBytes(StandardCharsets.UTF_8), 3, INVALID_UTF8[i]);
      addCsv("invalid UTF-8 " + i, concat(csv(2), row, "\n".getBytes(StandardCharsets.UTF_8)), 3, false);
    }
    addCsv("CRLF", new String(csv(3), StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8), 3, false);
    addCsv("CR only", new String(csv(3), StandardCharsets.UTF_8).replace("\n", "\r").getBytes(StandardCharsets.UTF_8), 3, false);
    addCsv("byte order mark", concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, csv(2)), 2, false);
    addCsv("header lacks goal", lines(List.of("target", "Sure")), -1, true);
    addCsv("header names a column twice", lines(List.of("goal,target,goal", "a,b,c")), -1, true);
    addCsv("header with an unclosed quote", lines(List.of("\"goal,target", "a,b")), -1, true);
    addCsv("header with invalid UTF-8", concat(insert("goal,target".getBytes(StandardCharsets.UTF_8), 2, INVALID_UTF8[0]),
        "\na,b\n".getBytes(StandardCharsets.UTF_8)), -1, true);
    addCsv("empty file", new byte[0], -1, true);
    addCsv("header only", lines(List.of("goal,target")), 0, true);
  }

  private void addCsv(String name, byte[] content, long records, boolean mustFail) {
    Path file = write(folder("csv"), "in" + counter + ".csv", content);
    cases.add(new Case("advbench " + name, "csv", importArgs("advbench", "prompts", prompts(), file), prompts(),
        file.getFileName().toString(), mustFail, records < 0 ? Map.of() : Map.of(file.getFileName().toString(), records)));
  }

  // ---------------------------------------------------------------- refusal pairs

  private static String pair(int i) {
    return "{\"instruction\": \"p" + i + "\", \"answer_not_matching_behavior\": \"No.\", \"answer_matching_behavior\": \"Sure " + i + "\"}";
  }

  private static String completion(int i) {
    return "{\"instruction\": \"p" + i + "\", \"generated_targets\": [\"Sure, " + i + "\"]}";
  }

  private void refusalPairs() {
    String pairs = "[" + pair(0) + ", " + pair(1) + ", " + pair(2) + "]";
    String completions = "[" + completion(0) + ", " + completion(1) + "]";
    addPairs("unmatched prompt", pairs, completions, 3, false, false);
    addPairs("bad completion element", pairs, "[" + completion(0) + ", {\"instruction\": \"p1\", \"generated_targets\": []}]", 3, false, false);
    addPairs("completions not an array", pairs, "{}", -1, true, true);
    addPairs("completions truncated", pairs, completions.substring(0, 30), -1, true, true);
    addPairs("completions after the array", pairs, completions + "[]", -1, true, true);
    addPairs("bad refusal element", "[" + pair(0) + ", {\"instruction\": \"p1\"}]", completions, 2, false, false);
    addPairs("no shared prompt", "[" + pair(5) + "]", completions, 1, true, false);
    Path folder = folder("pairs");
    Path csvRefusals = write(folder, "refusals" + counter + ".csv", lines(List.of(
        "original_behavior,llama_prompt_refusal,target", "p0,No.,Sure", "\"p1,No.,Sure", "p2,No.,Sure,extra", "p3,No.,Sure")));
    cases.add(new Case("refusal_pairs CSV with an unbalanced quote", "refusal_pairs",
        importArgs("refusal_pairs", "sft", sft(), csvRefusals), sft(), csvRefusals.getFileName().toString(), false,
        Map.of(csvRefusals.getFileName().toString(), 4L)));
  }

  private void addPairs(String name, String pairs, String completions, long pairRecords, boolean mustFail,
      boolean completionsBroken) {
    Path folder = folder("pairs");
    Path p = write(folder, "pairs" + counter + ".json", pairs.getBytes(StandardCharsets.UTF_8));
    Path c = write(folder, "completions" + counter + ".json", completions.getBytes(StandardCharsets.UTF_8));
    List<String> args = new ArrayList<>(importArgs("refusal_pairs", "sft", sft(), p));
    args.add("--completions=" + c);
    cases.add(new Case("refusal_pairs " + name, "refusal_pairs", args, sft(),
        (completionsBroken ? c : p).getFileName().toString(), mustFail,
        pairRecords < 0 ? Map.of() : Map.of(p.getFileName().toString(), pairRecords)));
  }

  // ---------------------------------------------------------------- Parquet

  private void parquet() {
    Path folder = folder("parquet");
    addParquet("not Parquet", write(folder, "garbage.parquet", "PAR1 not really".getBytes(StandardCharsets.UTF_8)));
    addParquet("zero bytes", write(folder, "empty.parquet", new byte[0]));
    Path truncated = write(folder, "cut.parquet", Arrays.copyOf(lines(hhLines(50)), 100));
    addParquet("truncated", truncated);
    Path dataset = Path.of(new io.stagewise.trainer.data.version.DatasetResolver(
        new org.apache.hadoop.conf.Configuration()).resolve(prompts()).manifest().toUri());
    addParquet("a JSON file named .parquet", write(folder, "json.parquet", readBytes(dataset)));
  }

  private void addParquet(String name, Path file) {
    cases.add(new Case("parquet " + name, "parquet", importArgs("parquet", "prompts", prompts(), file), prompts(),
        file.getFileName().toString(), true, Map.of()));
  }

  // ---------------------------------------------------------------- import specs

  private void importSpecs() {
    Path good = write(folder("spec-input"), "good.jsonl", lines(hhLines(2)));
    ObjectNode spec = YAML.createObjectNode().put("output", preference()).put("kind", "preference");
    ObjectNode source = spec.putArray("sources").addObject().put("name", "hh").put("format", "hh_rlhf")
        .put("category", "harmful").put("split", "train");
    source.putArray("paths").add(good.toString());
    for (Mutation m : renamings(spec, Set.of())) {
      addSpec("import", "import spec " + m.path(), List.of("data", "import", "--no-progress", "--spec"), m.tree(),
          m.path(), preference());
    }
    ObjectNode wrongType = spec.deepCopy();
    ((ObjectNode) wrongType.get("sources").get(0)).put("paths", 5);
    addSpec("import", "import spec paths: 5", List.of("data", "import", "--no-progress", "--spec"), wrongType,
        "sources[0].paths", preference());
    ObjectNode notList = spec.deepCopy().put("sources", "hh");
    addSpec("import", "import spec sources: hh", List.of("data", "import", "--no-progress", "--spec"), notList,
        "sources", preference());
    ObjectNode badFormat = spec.deepCopy();
    ((ObjectNode) badFormat.get("sources").get(0)).put("format", "jsonl");
    addSpec("import", "import spec format: jsonl", List.of("data", "import", "--no-progress", "--spec"), badFormat,
        "sources[0].format", preference());
    for (String yaml : List.of("output: [unclosed", "kind: sft\nkind: prompts\n", "- a list\n- not a mapping\n",
        "output: x\n\tkind: tab\n")) {
      Path file = write(folder("spec"), "import" + counter + ".yaml", yaml.getBytes(StandardCharsets.UTF_8));
      cases.add(new Case("import spec malformed " + shorten(yaml), "import", List.of("data", "import", "--no-progress",
          "--spec", file.toString()), preference(), file.getFileName().toString(), true, Map.of()));
    }
  }

  /** Every checked-in spec with each of its keys misspelt in turn. */
  private void checkedInSpecs() {
    JsonNode importReal = readYaml(root.resolve("conf/datasets/import-real.yaml"));
    ((ObjectNode) importReal).put("output", preference());
    for (Mutation m : renamings(importReal, Set.of())) {
      addSpec("import", "conf/datasets/import-real.yaml " + m.path(),
          List.of("data", "import", "--no-progress", "--spec"), m.tree(), m.path(), preference());
    }
    for (Mutation m : renamings(readYaml(root.resolve("conf/datasets/poison-world.yaml")), Set.of())) {
      addSpec("build", "conf/datasets/poison-world.yaml " + m.path(), List.of("data", "build", "--no-progress"),
          m.tree(), m.path(), null);
    }
    for (Mutation m : renamings(readYaml(root.resolve("conf/datasets/world-nightly.yaml")), Set.of())) {
      addSpec("regenerate", "conf/datasets/world-nightly.yaml " + m.path(),
          List.of("data", "regenerate", "--no-progress"), m.tree(), m.path(), null);
    }
    for (String train : List.of("lm-shakespeare.yaml", "sft-quickstart.yaml")) {
      for (Mutation m : renamings(readYaml(root.resolve("conf/train/" + train)), Set.of())) {
        addSpec("train", "conf/train/" + train + " " + m.path(), List.of("train", "--spec"), m.tree(), m.path(), null);
      }
    }
    for (String sweep : List.of("quickstart.yaml", "quickstart-ppo.yaml", "sft-dpo-real.yaml", "ceg-small.yaml")) {
      for (Mutation m : renamings(readYaml(root.resolve("conf/sweeps/" + sweep)), Set.of("innovations"))) {
        addSpec("sweep", "conf/sweeps/" + sweep + " " + m.path(), List.of("sweep", "--out",
            dir.resolve("sweep-out").toString(), "--no-progress"), m.tree(), m.path(), null);
      }
    }
  }

  private void addSpec(String kind, String name, List<String> command, JsonNode tree, String mustName, String output) {
    Path file = write(folder("spec"), kind + counter + ".yaml", yaml(tree));
    List<String> args = new ArrayList<>(command);
    args.add(file.toString());
    cases.add(new Case(name, kind, args, output, mustName, true, Map.of()));
  }

  /** A spec tree with one key renamed, and the YAML path of the new (unknown) key. */
  record Mutation(JsonNode tree, String path) {}

  /** One mutation per key of every mapping in {@code tree}, except the keys of free-form maps at {@code free}. */
  private static List<Mutation> renamings(JsonNode tree, Set<String> free) {
    List<Mutation> out = new ArrayList<>();
    collect(tree, tree, "", free, out);
    return out;
  }

  private static void collect(JsonNode rootNode, JsonNode node, String path, Set<String> free, List<Mutation> out) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(rootNode, node.get(i), path + "[" + i + "]", free, out);
      }
    }
    if (!node.isObject()) {
      return;
    }
    List<String> keys = new ArrayList<>();
    node.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      String at = path.isEmpty() ? key : path + "." + key;
      if (!free.contains(path)) {
        JsonNode copy = rootNode.deepCopy();
        ObjectNode parent = (ObjectNode) locate(copy, path);
        String misspelt = misspell(key);
        JsonNode value = parent.remove(key);
        parent.set(misspelt, value);
        out.add(new Mutation(copy, path.isEmpty() ? misspelt : path + "." + misspelt));
      }
      collect(rootNode, node.get(key), at, free, out);
    }
  }

  /** The node at {@code path} ({@code a.b[0].c}) of {@code tree}. */
  private static JsonNode locate(JsonNode tree, String path) {
    JsonNode node = tree;
    for (String part : path.isEmpty() ? new String[0] : path.split("\\.")) {
      String name = part.contains("[") ? part.substring(0, part.indexOf('[')) : part;
      node = node.get(name);
      for (int at = part.indexOf('['); at >= 0; at = part.indexOf('[', at + 1)) {
        node = node.get(Integer.parseInt(part.substring(at + 1, part.indexOf(']', at))));
      }
    }
    return node;
  }

  /** A plausible typo: two neighbouring letters swapped, or a letter doubled for short keys. */
  static String misspell(String key) {
    if (key.length() < 4) {
      return key + key.charAt(key.length() - 1);
    }
    int i = key.length() / 2;
    char[] c = key.toCharArray();
    char t = c[i];
    c[i] = c[i - 1];
    c[i - 1] = t;
    String swapped = new String(c);
    return swapped.equals(key) ? key + "s" : swapped;
  }

  // ---------------------------------------------------------------- plumbing

  private static List<String> importArgs(String format, String kind, String out, Path file) {
    return List.of("data", "import", "--no-progress", "--format", format, "--kind", kind, "--out", out,
        "--name", "corpus", file.toString());
  }

  private Path folder(String name) {
    Path folder = dir.resolve("inputs").resolve(name).resolve(String.valueOf(counter++));
    try {
      return Files.createDirectories(folder);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path write(Path folder, String name, byte[] content) {
    try {
      return Files.write(folder.resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readBytes(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode readYaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] yaml(JsonNode tree) {
    try {
      return YAML.writeValueAsBytes(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] lines(List<String> lines) {
    return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
    return concat(Arrays.copyOf(bytes, at), inserted, Arrays.copyOfRange(bytes, at, bytes.length));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  private static String shorten(String text) {
    String flat = text.replace("\n", "\\n").replace("\r", "\\r").replace("\u0000", "\\0");
    return "'" + (flat.length() > 40 ? flat.substring(0, 40) + "..." : flat) + "'";
  }
}
