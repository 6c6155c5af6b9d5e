package io.stagewise.trainer.metrics;

/**
 * One logged optimizer step.
 *
 * @param step optimizer updates done (1-based)
 * @param tokens cumulative tokens processed (rows × sequence length over all steps)
 * @param flops cumulative training FLOPs
 * @param loss training loss of this step (mean over its counted targets)
 * @param lr learning rate used by this step
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond throughput since the previous logged step
 */
public record TrainRecord(long step, long tokens, double flops, double loss, double lr, double gradNorm,
        double tokensPerSecond) {
}
