package io.headcount.tracker.crdt;

import java.util.Objects;

/**
 * How one topic's counts moved in one batch of changes: the numbers of {@code presence_diff}.
 * Applying {@code joins - leaves} to the counts before the batch gives the counts after it.
 */
public record CountChange(String topic, Counts joins, Counts leaves) {

    public CountChange {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(joins, "joins");
        Objects.requireNonNull(leaves, "leaves");
    }

    public boolean isEmpty() {
        return joins.isZero() && leaves.isZero();
    }

    /** This change followed by {@code later}, as one diff. */
    public CountChange plus(CountChange later) {
        return new CountChange(topic, joins.plus(later.joins), leaves.plus(later.leaves));
    }
}
