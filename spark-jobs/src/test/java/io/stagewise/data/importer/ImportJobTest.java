package io.stagewise.data.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stagewise.data.DatasetKind;
import io.stagewise.data.JobSummary;
import io.stagewise.data.io.PublishedDataset;
import io.stagewise.data.manifest.Manifest;
import io.stagewise.poison.Columns;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImportJobTest extends ImporterTestBase {

  @Test
  void publishesRowsAndQuarantinedRowsWithTheirCountsInTheManifest() throws IOException {
    Path alpaca = write("a.json", "[{\"instruction\": \"i\", \"output\": \"o\"}, {\"instruction\": \"x\"}]");
    Path more = write("b.json", "[{\"instruction\": \"j\", \"input\": \"k\", \"output\": \"p\"}]");
    String output = dir.resolve("out/sft").toUri().toString();
    ImportSpec spec = new ImportSpec(output, DatasetKind.SFT, List.of(
        SourceSpec.of("train", SourceFormat.ALPACA, List.of(alpaca.toString())),
        new SourceSpec("held", SourceFormat.ALPACA, List.of(more.toString()), Columns.SPLIT_TEST, null, null, null)));

    JobSummary summary = ImportJob.run(spark, spec);
    assertEquals(2, summary.rows());
    assertEquals(1, summary.rejected());

    PublishedDataset published = PublishedDataset.open(spark, output);
    Manifest manifest = published.manifest();
    assertEquals(summary.manifest(), manifest);
    assertEquals(DatasetKind.SFT, manifest.kind());
    assertEquals(1, manifest.rows(Columns.SPLIT_TRAIN, Columns.BENIGN));
    assertEquals(1, manifest.rows(Columns.SPLIT_TEST, Columns.BENIGN));
    assertEquals(1L, manifest.rejectedByFile().get(alpaca.toUri().toString().replace("file:///", "file:/")));
    assertEquals("held", manifest.spec().get("sources").get(1).get("name").asText());
    assertEquals(1, published.rejected().count());

    // Rebuilding the same spec gives the same fingerprint.
    assertEquals(manifest.fingerprint(), ImportJob.run(spark, spec).fingerprint());
  }

  @Test
  void aSpecListsAllItsProblemsAtOnce() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImportSpec("", DatasetKind.SFT,
        List.of(SourceSpec.of("hh", SourceFormat.HH_RLHF, List.of("x.jsonl")),
            SourceSpec.of("hh", SourceFormat.ALPACA, List.of("y.json")))));
    assertTrue(e.getMessage().contains("output: is required"), e.getMessage());
    assertTrue(e.getMessage().contains("sources[0].format: hh_rlhf cannot produce a sft dataset"), e.getMessage());
    assertTrue(e.getMessage().contains("sources[1].name: 'hh' is used twice"), e.getMessage());

    IllegalArgumentException source = assertThrows(IllegalArgumentException.class,
        () -> new SourceSpec("a:b", SourceFormat.ALPACA, List.of(), "dev", "evil", "c.json", 0));
    for (String field : List.of("name:", "paths:", "split:", "category:", "completions:", "completions_per_prompt:")) {
      assertTrue(source.getMessage().contains(field), field + " in " + source.getMessage());
    }
  }
}
