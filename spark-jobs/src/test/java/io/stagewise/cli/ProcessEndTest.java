package io.stagewise.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessEndTest {
  private final List<Integer> exits = new ArrayList<>();

  @Test
  void localAndClientDriversExitWithTheCommandsCode() {
    ProcessEnd.end(0, null, exits::add);
    ProcessEnd.end(2, "client", exits::add);
    assertEquals(List.of(0, 2), exits);
  }

  @Test
  void aClusterDriverReturnsOnSuccessWithoutExiting() {
    ProcessEnd.end(0, "cluster", exits::add);
    assertTrue(exits.isEmpty());
  }

  @Test
  void aClusterDriverThrowsOnFailureSoTheClusterMarksItFailed() {
    ProcessEnd.CommandFailed failed = assertThrows(ProcessEnd.CommandFailed.class,
        () -> ProcessEnd.end(2, "cluster", exits::add));
    assertEquals(2, failed.code);
    assertTrue(exits.isEmpty());
  }
}
