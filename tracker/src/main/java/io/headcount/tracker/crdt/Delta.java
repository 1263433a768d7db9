package io.headcount.tracker.crdt;

import java.util.List;
import java.util.Objects;

/**
 * A join-able piece of a {@link PresenceState}, produced by one replica (the {@code origin}).
 *
 * <p>In delta-state CRDT terms a full state is a delta too, so one type serves both messages that
 * carry state: the gossip a replica broadcasts after a flush window (its own new dots and entries,
 * plus removes of other replicas' entries it observed), and the transfer it answers to a peer that
 * fell behind (its whole context and entries). Both are merged by {@link PresenceState#merge}.
 */
public record Delta(ReplicaId origin, List<ReplicaDelta> parts) {

    public Delta {
        Objects.requireNonNull(origin, "origin");
        parts = List.copyOf(parts);
    }

    /** Number of dots and entries carried, Phoenix's {@code delta_size}. */
    public long size() {
        long n = 0;
        for (ReplicaDelta part : parts) {
            n += part.seen().size() + part.entries().size();
        }
        return n;
    }

    public int entryCount() {
        int n = 0;
        for (ReplicaDelta part : parts) {
            n += part.entries().size();
        }
        return n;
    }
}
