package io.stagewise.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stagewise.trainer.data.DataPosition;
import io.stagewise.trainer.optim.AdamW;
import io.stagewise.trainer.optim.AdamWConfig;
import io.stagewise.trainer.optim.TrainableParameter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AdamWConfig ADAMW = new AdamWConfig(0.9, 0.95, 1e-8, 0.1);

  @TempDir
  java.nio.file.Path dir;

  private NDManager manager;
  private CheckpointStore store;

  @BeforeEach
  void setUp() {
    manager = NDManager.newBaseManager();
    store = CheckpointStore.forWriting(dir.toUri(), new Configuration(), 2);
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  @Test
  void roundTripsParametersOptimizerAndStateBitForBit() {
    List<TrainableParameter> saved = parameters(new float[] {0.1f, -2.5f, 3e-7f}, new float[] {1f});
    try (AdamW optimizer = new AdamW(ADAMW, saved, manager)) {
      optimizer.update(List.of(manager.create(new float[] {0.3f, 0.2f, -0.1f}),
          manager.create(new float[] {-1f})), 1e-2);
      CheckpointState state = state(7, new DataPosition(1, 16));
      Path written = store.save(state, saved, optimizer);

      List<TrainableParameter> loaded = parameters(new float[3], new float[1]);
      try (AdamW restored = new AdamW(ADAMW, loaded, manager)) {
        store.loadParameters(written, loaded, manager);
        store.loadOptimizer(written, restored, manager);
        assertEquals(state, store.readState(written));
        assertEquals(1, restored.step());
        for (int i = 0; i < saved.size(); i++) {
          assertArrayEquals(saved.get(i).array().toFloatArray(), loaded.get(i).array().toFloatArray(), 0f);
        }
        for (String key : optimizer.moments().keySet()) {
          assertArrayEquals(optimizer.moments().get(key).toFloatArray(),
              restored.moments().get(key).toFloatArray(), 0f, key);
        }
      }
    }
  }

  @Test
  void keepsTheLastCheckpointsAndIgnoresUncommittedOnes() throws Exception {
    List<TrainableParameter> params = parameters(new float[] {1f});
    try (AdamW optimizer = new AdamW(ADAMW, params, manager)) {
      for (int step : new int[] {2, 4, 6}) {
        store.save(state(step, DataPosition.START), params, optimizer);
      }
      assertEquals(List.of("step-000000004-w000000001", "step-000000006-w000000001"), names(store.committed()));

      // A crash before the marker, and one after it but with a file lost: neither is a checkpoint.
      Files.createDirectories(dir.resolve("step-000000008-w000000001"));
      java.nio.file.Path torn = Files.createDirectories(dir.resolve("step-000000010-w000000001"));
      Files.createFile(torn.resolve(CheckpointStore.COMMITTED));
      assertEquals("step-000000006-w000000001", store.latest().orElseThrow().getName());
      assertFalse(CheckpointStore.isCommitted(new Path(torn.toUri()), new Configuration()));

      store.save(state(8, DataPosition.START), params, optimizer);
      assertEquals(List.of("step-000000006-w000000001", "step-000000008-w000000001"), names(store.committed()));
      assertFalse(Files.exists(torn), "uncommitted directories of crashed saves are removed");
      assertTrue(Files.exists(dir.resolve("step-000000008-w000000001").resolve(CheckpointStore.PARAMS)));
    }
  }

  /**
   * Attempt 1 stops responding and Spark starts attempt 2, which resumes and commits; attempt 1 then wakes up
   * (a zombie) and saves the same step, a later one and an earlier one. None of its saves may commit, replace
   * or prune anything of attempt 2's, and attempt 2 cleans up what the zombie left.
   */
  @Test
  void aZombieWriterOfAnEarlierAttemptCannotDeleteOrReplaceACommittedCheckpoint() throws Exception {
    Configuration conf = new Configuration();
    List<TrainableParameter> params = parameters(new float[] {1f, 2f});
    try (AdamW optimizer = new AdamW(ADAMW, params, manager)) {
      CheckpointStore attempt1 = CheckpointStore.forWriting(dir.resolve("run").toUri(), conf, 1);
      attempt1.save(state(2, DataPosition.START), params, optimizer);

      CheckpointStore attempt2 = CheckpointStore.forWriting(dir.resolve("run").toUri(), conf, 1);
      assertEquals("step-000000002-w000000001", attempt2.latest().orElseThrow().getName());
      Path committed = attempt2.save(state(4, DataPosition.START), params, optimizer);
      byte[] committedParams = Files.readAllBytes(java.nio.file.Path.of(committed.toUri()).resolve(
          CheckpointStore.PARAMS));
      assertEquals(List.of(committed), attempt2.committed(), "keep=1 pruned attempt 1's checkpoint");

      params.get(0).array().set(new float[] {9f, 9f});
      for (long step : new long[] {4, 6, 3}) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> attempt1.save(state(step, DataPosition.START), params, optimizer), "step " + step);
        assertTrue(e.getMessage().contains("superseded by writer 2"), e.getMessage());
      }
      assertThrows(IllegalStateException.class, attempt1::requireCurrentWriter, "nor rewrite the metrics");
      attempt2.requireCurrentWriter();
      assertEquals(List.of(committed), attempt2.committed());
      assertArrayEquals(committedParams, Files.readAllBytes(java.nio.file.Path.of(committed.toUri()).resolve(
          CheckpointStore.PARAMS)), "the committed checkpoint is untouched");

      attempt2.save(state(6, DataPosition.START), params, optimizer);
      try (var left = Files.list(dir.resolve("run"))) {
        assertEquals(List.of("_writers", "step-000000006-w000000002"), left.map(p -> p.getFileName().toString())
            .sorted().toList(), "the zombie's uncommitted directories are gone");
      }
    }
  }

  @Test
  void aStoreOpenedForReadingCannotSave() {
    List<TrainableParameter> params = parameters(new float[] {1f});
    CheckpointStore reader = new CheckpointStore(dir.toUri(), new Configuration(), 1);
    try (AdamW optimizer = new AdamW(ADAMW, params, manager)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> reader.save(state(1, DataPosition.START), params, optimizer));
      assertTrue(e.getMessage().contains("reading only"), e.getMessage());
    }
  }

  private static List<String> names(List<Path> checkpoints) {
    return checkpoints.stream().map(Path::getName).toList();
  }

  @Test
  void loadingIntoAModelWithOtherParametersNamesTheParameter() {
    List<TrainableParameter> params = parameters(new float[] {1f, 2f});
    try (AdamW optimizer = new AdamW(ADAMW, params, manager)) {
      Path written = store.save(state(1, DataPosition.START), params, optimizer);
      List<TrainableParameter> other = List.of(new TrainableParameter("p0", manager.zeros(
          new ai.djl.ndarray.types.Shape(3)), true));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> store.loadParameters(written, other, manager));
      assertTrue(e.getMessage().contains("'p0'") && e.getMessage().contains("(3)"), e.getMessage());
    }
    assertTrue(store.latest().isPresent());
    assertThrows(UncheckedIOException.class,
        () -> store.readState(new Path(dir.resolve("missing").toUri())));
  }

  private List<TrainableParameter> parameters(float[]... values) {
    List<TrainableParameter> out = new java.util.ArrayList<>();
    for (int i = 0; i < values.length; i++) {
      NDArray array = manager.create(values[i]);
      out.add(new TrainableParameter("p" + i, array, i == 0));
    }
    return out;
  }

  private static CheckpointState state(long step, DataPosition data) {
    return new CheckpointState(step, step * 100, step * 1e12, data, 42,
        JSON.createObjectNode().put("width", 64), JSON.createObjectNode().put("lr", 3e-4));
  }
}
