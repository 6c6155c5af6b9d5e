package io.stagewise.trainer.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * An endless stream of training batches: each epoch visits the rows in a permutation that is a pure function
 * of (seed, epoch), so the stream is reproducible and can be restarted at any {@link DataPosition}. The tail of
 * an epoch shorter than a batch is skipped, keeping every batch the same shape.
 */
public final class ShuffledBatches implements BatchStream {

    private final TokenSequences data;
    private final int batchSize;
    private final int width;
    private final int padId;
    private final long seed;
    private long epoch;
    private int offset;
    private int[] permutation;

    public ShuffledBatches(TokenSequences data, int batchSize, int width, int padId, long seed, DataPosition start) {
        if (data.size() < batchSize) {
            throw new IllegalArgumentException("training data has " + data.size()
                    + " rows, fewer than one batch of " + batchSize);
        }
        if (start.offset() > data.size()) {
            throw new IllegalArgumentException("data position offset " + start.offset()
                    + " is beyond the " + data.size() + " training rows");
        }
        this.data = data;
        this.batchSize = batchSize;
        this.width = width;
        this.padId = padId;
        this.seed = seed;
        this.epoch = start.epoch();
        this.offset = (int) start.offset();
        this.permutation = permutation(data.size(), seed, epoch);
    }

    @Override
    public DataPosition position() {
        return new DataPosition(epoch, offset);
    }

    @Override
    public boolean hasNext() {
        return true;
    }

    @Override
    public TokenBatch next() {
        if (offset + batchSize > permutation.length) {
            epoch++;
            offset = 0;
            permutation = permutation(data.size(), seed, epoch);
        }
        int[] rows = Arrays.copyOfRange(permutation, offset, offset + batchSize);
        offset += batchSize;
        return TokenBatch.pack(data, rows, width, padId);
    }

    /** A Fisher–Yates permutation of {@code [0, n)} seeded by (seed, epoch). */
    static int[] permutation(int n, long seed, long epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
