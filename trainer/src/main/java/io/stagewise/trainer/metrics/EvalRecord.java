package io.stagewise.trainer.metrics;

/**
 * One evaluation on the held-out batches.
 *
 * @param step optimizer updates done when evaluated
 * @param tokens cumulative training tokens at that point
 * @param flops cumulative training FLOPs at that point (the x axis of CEG curves)
 * @param loss mean loss over every counted held-out target
 * @param targets number of held-out targets the mean is over
 */
public record EvalRecord(long step, long tokens, double flops, double loss, long targets) {
}
