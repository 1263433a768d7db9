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

    /**
     * The same movement with what joined and left again cancelled out: a client that applies the
     * leaves before the joins then never passes through a negative count.
     */
    public CountChange net() {
        long viewers = joins.viewers() - leaves.viewers();
        long users = joins.users() - leaves.users();
        return new CountChange(topic, new Counts(Math.max(viewers, 0), Math.max(users, 0)),
                new Counts(Math.max(-viewers, 0), Math.max(-users, 0)));
    }

    /** This change followed by {@code later}, as one diff. */
    public CountChange plus(CountChange later) {
        return new CountChange(topic, joins.plus(later.joins), leaves.plus(later.leaves));
    }
}
