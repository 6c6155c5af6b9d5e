package io.stagewise.regenerate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.sweep.plan.StageKind;
import io.stagewise.sweep.plan.StageNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases hold a running plan's steps until released, and a killed run's only until they are stale. */
class StepLeasesTest {
  @TempDir Path dir;

  @Test
  void aLeaseHoldsItsStepsUntilReleasedOrStale() throws Exception {
    StageNode world = StageNode.of(StageKind.WORLD, "w", new ObjectMapper().createObjectNode().put("seed", 1),
        Map.of());
    StageNode poison = StageNode.of(StageKind.POISON, "p", new ObjectMapper().createObjectNode(),
        Map.of("data", world));
    StepLeases leases = new StepLeases(new org.apache.hadoop.fs.Path(dir.toUri()), new Configuration());
    Instant start = Instant.parse("2026-12-07T03:00:00Z");
    Set<String> both = Set.of("world/" + world.key(), "poison/" + poison.key());
    try (StepLeases.Lease lease = leases.hold(List.of(world, poison), start)) {
      assertEquals(Optional.of(both), leases.held(start.plusSeconds(60)));
      assertEquals(Optional.of(Set.of()), leases.held(start.plus(StepLeases.STALE).plusSeconds(1)),
          "a lease this old is a killed run's");
    }
    assertEquals(Optional.of(Set.of()), leases.held(start));

    Files.writeString(Files.createDirectories(dir.resolve(StepLeases.DIR)).resolve("torn.json"), "{\"started_");
    assertEquals(Optional.empty(), leases.held(start), "a lease that cannot be read stops a prune");
  }
}
