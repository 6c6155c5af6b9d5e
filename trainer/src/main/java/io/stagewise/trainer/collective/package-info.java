/**
 * Collective communication between data-parallel workers: the {@link io.stagewise.trainer.collective.Collective}
 * interface the training loop talks to, a one-worker implementation, and a TCP ring all-reduce.
 *
 * <p>Nothing here knows about Spark. The launcher opens each worker's listening socket with
 * {@link io.stagewise.trainer.collective.RingAllReduce#listen}, shares the addresses through its own rendezvous
 * (Spark's barrier all-gather), then calls {@link io.stagewise.trainer.collective.RingAllReduce#connect}.
 */
package io.stagewise.trainer.collective;
