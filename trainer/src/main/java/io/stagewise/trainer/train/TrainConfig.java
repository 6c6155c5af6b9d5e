package io.stagewise.trainer.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.stagewise.trainer.model.LoraConfig;
import io.stagewise.trainer.optim.AdamWConfig;
import io.stagewise.trainer.optim.LrSchedule;
import java.util.ArrayList;
import java.util.List;

/**
 * How to train: budget, batch, optimizer, schedule, cadence of logs / evaluations / checkpoints, seed and
 * threads. Validated once here; every invalid field is reported at once, each named.
 *
 * @param steps optimizer updates
 * @param batchSize rows per update (over all micro-batches)
 * @param microBatches gradient-accumulation micro-batches per update; must divide {@code batchSize}
 * @param lr peak learning rate
 * @param warmupSteps linear warmup updates
 * @param minLrRatio cosine floor as a fraction of {@code lr}
 * @param weightDecay decoupled weight decay of matrices and embeddings
 * @param beta1 AdamW first-moment decay
 * @param beta2 AdamW second-moment decay
 * @param eps AdamW denominator epsilon
 * @param clipNorm global gradient-norm threshold; 0 disables clipping
 * @param evalEvery evaluate every this many updates (0: only after the last)
 * @param evalBatches held-out batches per evaluation (of {@code batchSize / microBatches} rows)
 * @param logEvery write a metrics line every this many updates
 * @param checkpointEvery checkpoint every this many updates (0: only after the last)
 * @param keepCheckpoints most recent checkpoints kept
 * @param seed seeds the data order and every engine random draw (dropout)
 * @param intraOpThreads engine intra-op threads; 0 keeps the engine default
 * @param objective the loss
 * @param packing {@code true} packs LM/SFT rows back to back into full contexts (positions restart and attention
 *     stops at every row boundary; {@link io.stagewise.trainer.data.TokenBatch#packTogether}); null (unset) and
 *     {@code false} keep one row per batch row. Null stays out of the JSON, so stage keys of specs that never
 *     set it do not change.
 * @param lora LoRA adapters to train instead of the whole model ({@link LoraConfig}; the base, frozen, is the
 *     run's starting model), or null (unset, out of the JSON like {@code packing}) to train every parameter
 */
public record TrainConfig(
        int steps,
        int batchSize,
        int microBatches,
        double lr,
        int warmupSteps,
        double minLrRatio,
        double weightDecay,
        double beta1,
        double beta2,
        double eps,
        double clipNorm,
        int evalEvery,
        int evalBatches,
        int logEvery,
        int checkpointEvery,
        int keepCheckpoints,
        long seed,
        int intraOpThreads,
        ObjectiveKind objective,
        @JsonInclude(JsonInclude.Include.NON_NULL) Boolean packing,
        @JsonInclude(JsonInclude.Include.NON_NULL) LoraConfig lora) {

    /** A configuration that leaves {@code packing} unset. */
    public TrainConfig(int steps, int batchSize, int microBatches, double lr, int warmupSteps, double minLrRatio,
            double weightDecay, double beta1, double beta2, double eps, double clipNorm, int evalEvery,
            int evalBatches, int logEvery, int checkpointEvery, int keepCheckpoints, long seed, int intraOpThreads,
            ObjectiveKind objective) {
        this(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1, beta2, eps, clipNorm,
                evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed, intraOpThreads, objective,
                null, null);
    }

    /** A configuration that leaves {@code lora} unset. */
    public TrainConfig(int steps, int batchSize, int microBatches, double lr, int warmupSteps, double minLrRatio,
            double weightDecay, double beta1, double beta2, double eps, double clipNorm, int evalEvery,
            int evalBatches, int logEvery, int checkpointEvery, int keepCheckpoints, long seed, int intraOpThreads,
            ObjectiveKind objective, Boolean packing) {
        this(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1, beta2, eps, clipNorm,
                evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed, intraOpThreads, objective,
                packing, null);
    }

    public TrainConfig {
        List<String> errors = new ArrayList<>();
        atLeast(errors, "steps", steps, 1);
        atLeast(errors, "batchSize", batchSize, 1);
        atLeast(errors, "microBatches", microBatches, 1);
        require(errors, microBatches < 1 || batchSize % microBatches == 0, "microBatches",
                "must divide batchSize (" + batchSize + "), got " + microBatches);
        require(errors, lr > 0 && Double.isFinite(lr), "lr", "must be a positive finite number, got " + lr);
        require(errors, warmupSteps >= 0 && warmupSteps <= steps, "warmupSteps",
                "must be in [0, steps=" + steps + "], got " + warmupSteps);
        require(errors, minLrRatio >= 0 && minLrRatio <= 1, "minLrRatio", "must be in [0, 1], got " + minLrRatio);
        require(errors, weightDecay >= 0 && Double.isFinite(weightDecay), "weightDecay",
                "must be finite and >= 0, got " + weightDecay);
        require(errors, beta1 >= 0 && beta1 < 1, "beta1", "must be in [0, 1), got " + beta1);
        require(errors, beta2 >= 0 && beta2 < 1, "beta2", "must be in [0, 1), got " + beta2);
        require(errors, eps > 0 && Double.isFinite(eps), "eps", "must be a positive finite number, got " + eps);
        require(errors, clipNorm >= 0 && Double.isFinite(clipNorm), "clipNorm",
                "must be finite and >= 0 (0 disables clipping), got " + clipNorm);
        atLeast(errors, "evalEvery", evalEvery, 0);
        atLeast(errors, "evalBatches", evalBatches, 0);
        atLeast(errors, "logEvery", logEvery, 1);
        atLeast(errors, "checkpointEvery", checkpointEvery, 0);
        atLeast(errors, "keepCheckpoints", keepCheckpoints, 1);
        atLeast(errors, "intraOpThreads", intraOpThreads, 0);
        require(errors, objective != null, "objective", "must be set (lm, sft, reward, dpo or ppo)");
        require(errors, !Boolean.TRUE.equals(packing) || objective == null || objective.onTokenSequences(),
                "packing", "packs lm and sft rows only, not objective "
                        + (objective == null ? "" : objective.specName()));
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
    }

    /** nanoGPT-like defaults for a short run; adjust with the {@code with} methods. */
    public static TrainConfig defaults() {
        return new TrainConfig(1000, 16, 1, 3e-4, 100, 0.1, 0.1, 0.9, 0.95, 1e-8, 1.0, 100, 10, 10, 500, 2, 0, 0,
                ObjectiveKind.LM);
    }

    /** Rows per micro-batch (and per evaluation batch). */
    public int microBatchSize() {
        return batchSize / microBatches;
    }

    public LrSchedule schedule() {
        return schedule(lr, warmupSteps, steps, minLrRatio);
    }

    public AdamWConfig adamW() {
        return new AdamWConfig(beta1, beta2, eps, weightDecay);
    }

    public TrainConfig withSteps(int newSteps, int newWarmupSteps) {
        return new TrainConfig(newSteps, batchSize, microBatches, lr, newWarmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed,
                intraOpThreads, objective, packing, lora);
    }

    public TrainConfig withBatch(int newBatchSize, int newMicroBatches) {
        return new TrainConfig(steps, newBatchSize, newMicroBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed,
                intraOpThreads, objective, packing, lora);
    }

    public TrainConfig withLr(double newLr, double newMinLrRatio) {
        return new TrainConfig(steps, batchSize, microBatches, newLr, warmupSteps, newMinLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed,
                intraOpThreads, objective, packing, lora);
    }

    public TrainConfig withCadence(int newLogEvery, int newEvalEvery, int newEvalBatches, int newCheckpointEvery) {
        return new TrainConfig(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, newEvalEvery, newEvalBatches, newLogEvery, newCheckpointEvery, keepCheckpoints,
                seed, intraOpThreads, objective, packing, lora);
    }

    public TrainConfig withSeed(long newSeed) {
        return new TrainConfig(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, newSeed,
                intraOpThreads, objective, packing, lora);
    }

    public TrainConfig withObjective(ObjectiveKind newObjective) {
        return new TrainConfig(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed,
                intraOpThreads, newObjective, packing, lora);
    }

    public TrainConfig withIntraOpThreads(int threads) {
        return new TrainConfig(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed,
                threads, objective, packing, lora);
    }

    /** Whether LM/SFT rows are packed together ({@code packing: true}); unset means no. */
    public boolean packs() {
        return Boolean.TRUE.equals(packing);
    }

    public TrainConfig withPacking(boolean newPacking) {
        return new TrainConfig(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed,
                intraOpThreads, objective, newPacking, lora);
    }

    public TrainConfig withLora(LoraConfig newLora) {
        return new TrainConfig(steps, batchSize, microBatches, lr, warmupSteps, minLrRatio, weightDecay, beta1,
                beta2, eps, clipNorm, evalEvery, evalBatches, logEvery, checkpointEvery, keepCheckpoints, seed,
                intraOpThreads, objective, packing, newLora);
    }

    private static LrSchedule schedule(double lr, int warmupSteps, int steps, double minLrRatio) {
        return new LrSchedule(lr, warmupSteps, steps, minLrRatio);
    }

    private static void atLeast(List<String> errors, String field, long value, long min) {
        require(errors, value >= min, field, "must be >= " + min + ", got " + value);
    }

    private static void require(List<String> errors, boolean ok, String field, String message) {
        if (!ok) {
            errors.add("train." + field + ": " + message);
        }
    }
}
