package io.stagewise.sweep.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.stagewise.ceg.CegOptions;
import io.stagewise.ceg.Gain;
import io.stagewise.ceg.InnovationClass;
import io.stagewise.ceg.ScalingResults;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class CegResultsTableTest {

  @Test
  void oneRowPerSizeAndInnovationWithMissingValuesAsNull() {
    Gain unreachable = Gain.of(Double.NaN, Gain.Status.UNREACHABLE, 1.25).withInterval(3.0, Double.POSITIVE_INFINITY);
    Gain noClock = Gain.of(Double.NaN, Gain.Status.UNAVAILABLE, 1.25);
    Gain steps = Gain.of(1.5, Gain.Status.FALLBACK, 1.4);
    Gain observed = Gain.of(0.8, Gain.Status.OBSERVED, 1.1).withInterval(0.7, 0.9);
    ScalingResults results = new ScalingResults("base", List.of("tiny", "small"), CegOptions.defaults(), List.of(),
        null, null, List.of(new ScalingResults.Innovation("rope", List.of(
            new ScalingResults.SizeGains("tiny", 2, 3, observed, noClock, steps),
            new ScalingResults.SizeGains("small", 2, 2, unreachable, noClock, steps)),
            new InnovationClass.Verdict(InnovationClass.UNDETERMINED, "because"))));
    List<Row> rows = CegResultsTable.rows("study", results);
    assertEquals(2, rows.size());
    Row tiny = rows.get(0);
    assertEquals(CegResultsTable.SCHEMA.size(), tiny.size());
    assertEquals(List.of("study", "tiny", 0, "rope", "base", 2, 3), List.of(tiny.get(0), tiny.get(1), tiny.get(2),
        tiny.get(3), tiny.get(4), tiny.get(5), tiny.get(6)));
    assertEquals(List.of(0.8, 0.7, 0.9, "observed", 1.1), List.of(at(tiny, "ceg"), at(tiny, "ceg_low"),
        at(tiny, "ceg_high"), at(tiny, "ceg_status"), at(tiny, "ceg_target_loss")));
    assertNull(at(tiny, "wall_clock_gain"), "no number is made up");
    assertNull(at(tiny, "wall_clock_gain_low"));
    assertEquals("fallback", at(tiny, "step_gain_status"));
    assertEquals("undetermined", at(tiny, "class"));
    Row small = rows.get(1);
    assertEquals(Double.POSITIVE_INFINITY, at(small, "ceg"), "an unreachable loss is worth unbounded compute");
    assertEquals("unreachable", at(small, "ceg_status"));
    assertEquals(1, at(small, "size_rank"));
  }

  private static Object at(Row row, String column) {
    return row.get(CegResultsTable.SCHEMA.fieldIndex(column));
  }
}
