package io.headcount.tracker.crdt;

import java.util.Objects;

/**
 * A unique event of one replica: its clock value at that event (Phoenix's "tag").
 * Every join and every leave takes a fresh dot from the replica that performs it.
 */
public record Dot(ReplicaId replica, long clock) {

    public Dot {
        Objects.requireNonNull(replica, "replica");
        if (clock < 1) {
            throw new IllegalArgumentException("a dot's clock starts at 1, was " + clock);
        }
    }
}
