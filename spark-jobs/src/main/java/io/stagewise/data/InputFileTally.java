package io.stagewise.data;

/**
 * What an import did with one input file: every record it read was either imported or rejected, so
 * {@code read = imported + rejected} always holds (checked when the tally is made).
 *
 * @param file the input file, as the URI it was read from
 * @param unit what a record of this file is: lines (JSONL), elements (JSON array), records (CSV), rows
 *     (Parquet)
 * @param read records read from the file
 * @param imported records that became rows (a refusal pair with several completions becomes several rows)
 * @param rejected records quarantined under {@code _rejected/}
 */
public record InputFileTally(String file, String unit, long read, long imported, long rejected) {
  public InputFileTally {
    if (read != imported + rejected) {
      throw new IllegalStateException(file + ": " + read + " " + unit + " read but " + imported + " imported and "
          + rejected + " rejected: rows were lost");
    }
  }

  @Override
  public String toString() {
    return String.format("%s: %,d %s read = %,d imported + %,d rejected", file, read, unit, imported, rejected);
  }
}
