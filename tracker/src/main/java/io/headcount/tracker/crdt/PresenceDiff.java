package io.headcount.tracker.crdt;

import java.util.List;

/**
 * The presences that became visible ({@code joins}) and invisible ({@code leaves}) through one
 * operation on a {@link PresenceState}. Count diffs are derived from these and nowhere else.
 */
public record PresenceDiff(List<Presence> joins, List<Presence> leaves) {

    public static final PresenceDiff EMPTY = new PresenceDiff(List.of(), List.of());

    public PresenceDiff {
        joins = List.copyOf(joins);
        leaves = List.copyOf(leaves);
    }

    public static PresenceDiff joined(Presence p) {
        return new PresenceDiff(List.of(p), List.of());
    }

    public static PresenceDiff left(Presence p) {
        return new PresenceDiff(List.of(), List.of(p));
    }

    public boolean isEmpty() {
        return joins.isEmpty() && leaves.isEmpty();
    }
}
