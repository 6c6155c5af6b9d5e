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

  @Test
  void anImportThatYieldsNoRowsFailsAndKeepsThePreviousDatasetUnlessAllowed() throws IOException {
    String output = dir.resolve("out/sft").toUri().toString();
    Path good = write("good.json", "[{\"instruction\": \"i\", \"output\": \"o\"}]");
    ImportSpec first = new ImportSpec(output, DatasetKind.SFT,
        List.of(SourceSpec.of("a", SourceFormat.ALPACA, List.of(good.toString()))));
    String fingerprint = ImportJob.run(spark, first).fingerprint();

    Path bad = write("bad.json", "[{\"instruction\": \"i\"}, 5]");
    ImportSpec empty = new ImportSpec(output, DatasetKind.SFT,
        List.of(SourceSpec.of("a", SourceFormat.ALPACA, List.of(bad.toString()))));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImportJob.run(spark, empty));
    assertTrue(e.getMessage().contains("no rows (2 rejected; first: ") && e.getMessage().contains("bad.json line 1")
        && e.getMessage().contains("unchanged") && e.getMessage().contains("--allow-empty"), e.getMessage());
    assertEquals(fingerprint, PublishedDataset.open(spark, output).manifest().fingerprint());

    JobSummary allowed = ImportJob.run(spark, empty.withAllowEmpty(true));
    assertEquals(0, allowed.rows());
    assertEquals(2, allowed.rejected());
  }

  @Test
  void theSummaryTalliesEveryFileReadEqualsImportedPlusRejected() throws IOException {
    Path a = write("a.json", "[{\"instruction\": \"i\", \"output\": \"o\"}, 1, {\"instruction\": \"j\", \"output\": \"p\"}]");
    Path b = write("b.json", "[{\"output\": \"o\"}]");
    JobSummary summary = ImportJob.run(spark, new ImportSpec(dir.resolve("out/t").toUri().toString(), DatasetKind.SFT,
        List.of(SourceSpec.of("s", SourceFormat.ALPACA, List.of(a.toString(), b.toString())))));
    assertEquals(2, summary.inputs().size());
    assertEquals(List.of(3L, 1L), summary.inputs().stream().map(io.stagewise.data.InputFileTally::read).toList());
    assertEquals(List.of(2L, 0L), summary.inputs().stream().map(io.stagewise.data.InputFileTally::imported).toList());
    assertTrue(summary.toString().contains("a.json: 3 elements read = 2 imported + 1 rejected"), summary.toString());
  }
}
