package io.stagewise.data.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.spec.YamlSpecs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading import specs: a misspelt key is an error at its YAML path, never a silent default. */
class ImportSpecTest {

  private static String problems(String yaml) {
    return assertThrows(IllegalArgumentException.class, () -> ImportSpec.parse(YamlSpecs.parse(yaml), "s.yaml"))
        .getMessage();
  }

  @Test
  void everyUnknownKeyIsListedAtOnceWithItsPath() {
    String message = problems("""
        output: out/x
        kind: preference
        sourcs: []
        sources:
          - {name: hh, format: hh_rlhf, paths: [a.jsonl], catgory: harmful}
          - {name: al, format: alpaca, paths: [b.json], split: dev, completion: c.json}
        """);
    for (String expected : List.of("sourcs: unknown key", "sources[0].catgory: unknown key",
        "sources[1].completion: unknown key", "sources[1].split: must be train or test, got 'dev'")) {
      assertTrue(message.contains(expected), expected + " in " + message);
    }
    assertTrue(message.startsWith("invalid import spec s.yaml:"), message);
  }

  @Test
  void typeErrorsAndTheSpecsOwnChecksNameTheirFields() {
    String message = problems("""
        output: out/x
        kind: sft
        allow_empty: maybe
        sources:
          - {name: a, format: alpaca, paths: [a.json]}
          - {name: a, format: hh_rlhf, paths: [b.jsonl]}
        """);
    assertTrue(message.contains("allow_empty: must be true or false"), message);
    assertTrue(message.contains("sources[1].name: 'a' is used twice"), message);
    assertTrue(message.contains("sources[1].format: hh_rlhf cannot produce a sft dataset"), message);
    assertTrue(problems("kind: sft\nsources: [{name: a, format: csv, paths: [x]}]")
        .contains("sources[0].format: unknown source format 'csv'"));
    assertTrue(problems("kind: sft\noutput: o\nsources: [{name: a, format: alpaca, paths: 5}]")
        .contains("sources[0].paths: "));
    assertTrue(problems("kind: sft\nkind: prompts\n").contains("Duplicate field 'kind'"));
  }

  @Test
  void aValidSpecReadsAsWritten() {
    ImportSpec spec = ImportSpec.parse(YamlSpecs.parse("""
        output: out/x
        kind: preference
        allow_empty: true
        sources:
          - {name: hh, format: hh_rlhf, paths: [a.jsonl], category: harmful}
        """), "s.yaml");
    assertEquals("harmful", spec.sources().get(0).category());
    assertTrue(spec.allowEmpty());
  }
}
