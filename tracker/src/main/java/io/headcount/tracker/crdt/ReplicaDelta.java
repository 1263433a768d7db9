package io.headcount.tracker.crdt;

import java.util.Map;
import java.util.Objects;

/**
 * What a delta says about one replica: the dots of that replica it covers ({@code seen}) and, among
 * them, the entries still alive ({@code entries}, by clock). A covered dot without an entry was
 * removed; a dot outside {@code seen} is not spoken of at all.
 *
 * <p>The same shape describes a gossip delta (the sender's new dots plus removes it observed), and
 * a full-state transfer (a replica's whole context and all its entries).
 */
public record ReplicaDelta(ReplicaId replica, DotSet seen, Map<Long, Presence> entries) {

    public ReplicaDelta {
        Objects.requireNonNull(replica, "replica");
        Objects.requireNonNull(seen, "seen");
        entries = Map.copyOf(entries);
        for (Long clock : entries.keySet()) {
            if (!seen.contains(clock)) {
                throw new IllegalArgumentException(
                        "entry at clock " + clock + " of " + replica + " lies outside the delta's dots " + seen);
            }
        }
    }
}
