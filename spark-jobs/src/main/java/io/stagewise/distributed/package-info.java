/**
 * Training on Spark: a data-parallel run as one barrier stage ({@link io.stagewise.distributed.BarrierTraining}),
 * and many independent runs as ordinary tasks ({@link io.stagewise.distributed.IndependentRuns}).
 *
 * <p>This package is only glue, in the way XGBoost4J-Spark separates its barrier tasks from the learner: it
 * finds each task's rank, device and peers and hands them to the trainer as a
 * {@link io.stagewise.trainer.train.Worker}; the trainer knows nothing of Spark.
 */
package io.stagewise.distributed;
