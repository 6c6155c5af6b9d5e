package io.stagewise.sweep.run;

import java.io.Serializable;

/**
 * One training or evaluation run, self-contained so it can run in this JVM or as a Spark task on any
 * executor: its stage kind, a label for logs, and its resolved configuration as JSON (URIs, model, train
 * settings, prompts).
 */
public record TrainingTask(String kind, String label, String payload) implements Serializable {}
