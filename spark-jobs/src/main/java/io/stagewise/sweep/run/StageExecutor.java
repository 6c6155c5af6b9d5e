package io.stagewise.sweep.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.stagewise.sweep.plan.StageNode;

/**
 * Runs one stage of a sweep, reading its parents' artifacts and writing its own under
 * {@link StageStore#dir}; returns the outcome the store records (counts, metrics, checkpoint URIs). Called
 * only when all parents are finished; may be called concurrently for different stages.
 */
public interface StageExecutor {
  JsonNode execute(StageNode node, StageStore store);
}
