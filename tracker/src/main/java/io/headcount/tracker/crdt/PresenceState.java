package io.headcount.tracker.crdt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The presences of one shard as seen by one replica: a delta-state ORSWOT after
 * Phoenix.Tracker.State.
 *
 * <h2>Algorithm</h2>
 * Every entry is tagged with a {@link Dot} of the replica that created it, and only that replica
 * ever creates or removes it. For each known replica the state keeps the set of that replica's dots
 * it has seen ({@link DotSet}: Phoenix's context plus cloud) and the entries still alive. A join
 * takes a fresh dot; a leave drops the entry and takes a fresh dot too, so that a peer that missed
 * it sees a clock it has not reached. Merging a {@link Delta} follows the observed-remove rule with
 * no tombstones:
 * <ul>
 *   <li>a remote entry is added if its dot was never seen here;</li>
 *   <li>a local entry is removed if the remote has seen its dot and no longer holds it;</li>
 *   <li>the remote's seen dots are added to ours.</li>
 * </ul>
 * Entries of replicas this state does not know are ignored: a replica is learned from its own
 * messages ({@link #replicaUp}), never second-hand, so a dead incarnation cannot be resurrected by
 * a peer's stale copy. A replica may be down (its entries kept but hidden, as after a partition) and
 * later up again, or permanently down (purged).
 *
 * <h2>Departures from Phoenix</h2>
 * <ul>
 *   <li>Only a replica's own dots and entries leave it ({@link #takeDelta}, {@link #extractOwn}); no
 *       replica forwards another's entries. So a join can never travel by a route its leave does not
 *       take, the cause of Phoenix's ghosts after a partition (phoenix_pubsub PR #111), and no remove
 *       needs re-gossiping: each replica is the authority on its own entries.</li>
 *   <li>Permdown deletes all bookkeeping of a replica, markers included; nothing grows with
 *       restarts.</li>
 *   <li>The state is mutable and confined to its owner thread (the shard), not immutable: a shard
 *       holds hundreds of thousands of entries and changes them hundreds of thousands of times per
 *       second. Every operation is deterministic and free of I/O, time and randomness, and
 *       {@link #copy()} gives an independent value for tests.</li>
 * </ul>
 *
 * @see <a href="https://arxiv.org/abs/1410.2803">Almeida, Shoker, Baquero: Delta State Replicated Data Types</a>
 * @see <a href="https://arxiv.org/abs/1210.3368">Bieniusa et al.: An Optimized Conflict-free Replicated Set</a>
 */
public final class PresenceState {

    private final ReplicaId self;
    private final Map<ReplicaId, ReplicaRecord> replicas = new HashMap<>();
    /** This replica's own entries by connection and topic, for leaves: connection -> topic -> clock. */
    private final Map<Long, Map<String, Long>> ownByConnection = new HashMap<>();
    /** This replica's own changes since the last {@link #takeDelta()}: the next gossip delta. */
    private PendingPart pending = new PendingPart();

    public PresenceState(ReplicaId self) {
        this.self = Objects.requireNonNull(self, "self");
        replicas.put(self, new ReplicaRecord());
    }

    public ReplicaId self() {
        return self;
    }

    // ---------------------------------------------------------------- local operations

    /**
     * Tracks {@code presence} as one of this replica's own. A connection is present at most once per
     * topic: joining again with the same user id changes nothing, with another one replaces the
     * entry (a leave and a join in one diff).
     */
    public PresenceDiff join(Presence presence) {
        Map<String, Long> topics = ownByConnection.get(presence.connection());
        Long existing = topics == null ? null : topics.get(presence.topic());
        List<Presence> leaves = List.of();
        if (existing != null) {
            Presence old = own().entries.get(existing);
            if (old.equals(presence)) {
                return PresenceDiff.EMPTY;
            }
            leaves = List.of(removeOwn(existing));
        }
        long clock = bump();
        own().entries.put(clock, presence);
        ownByConnection.computeIfAbsent(presence.connection(), c -> new HashMap<>(4)).put(presence.topic(), clock);
        pending.entries.put(clock, presence);
        return new PresenceDiff(List.of(presence), leaves);
    }

    /** Stops tracking one of this replica's connections on one topic; nothing happens if it is not tracked. */
    public PresenceDiff leave(String topic, long connection) {
        Map<String, Long> topics = ownByConnection.get(connection);
        Long clock = topics == null ? null : topics.get(topic);
        if (clock == null) {
            return PresenceDiff.EMPTY;
        }
        Presence left = removeOwn(clock);
        bump();
        return PresenceDiff.left(left);
    }

    /** Stops tracking a connection on every topic, as when its socket closes. */
    public PresenceDiff leaveAll(long connection) {
        Map<String, Long> topics = ownByConnection.get(connection);
        if (topics == null) {
            return PresenceDiff.EMPTY;
        }
        List<Presence> leaves = new ArrayList<>(topics.size());
        for (Long clock : List.copyOf(topics.values())) {
            leaves.add(removeOwn(clock));
        }
        bump();
        return new PresenceDiff(List.of(), leaves);
    }

    private Presence removeOwn(long clock) {
        Presence removed = own().entries.remove(clock);
        Map<String, Long> topics = ownByConnection.get(removed.connection());
        topics.remove(removed.topic());
        if (topics.isEmpty()) {
            ownByConnection.remove(removed.connection());
        }
        pending.seen = pending.seen.with(clock);
        pending.entries.remove(clock);
        return removed;
    }

    private long bump() {
        ReplicaRecord own = own();
        long clock = own.seen.max() + 1;
        own.seen = own.seen.with(clock);
        pending.seen = pending.seen.with(clock);
        return clock;
    }

    // ---------------------------------------------------------------- deltas and merge

    /** True when local changes wait to be gossiped. */
    public boolean hasDelta() {
        return !pending.seen.isEmpty();
    }

    /** Dots of the local changes waiting to be gossiped. */
    public long pendingDots() {
        return pending.seen.size();
    }

    /** Returns the local changes gathered since the last call, to be gossiped, and starts a new delta; {@code null} if none. */
    public Delta takeDelta() {
        if (!hasDelta()) {
            return null;
        }
        Delta delta = new Delta(self, List.of(new ReplicaDelta(self, pending.seen, pending.entries)));
        pending = new PendingPart();
        return delta;
    }

    /**
     * Joins a remote delta or transfer into this state and returns the presences that became
     * visible or invisible. Merging the same delta again returns an empty diff.
     */
    public PresenceDiff merge(Delta delta) {
        List<Presence> joins = new ArrayList<>();
        List<Presence> leaves = new ArrayList<>();
        for (ReplicaDelta part : delta.parts()) {
            ReplicaId replica = part.replica();
            ReplicaRecord record = replicas.get(replica);
            // Our own dots are ours to decide; unknown replicas are learned only from themselves.
            if (replica.equals(self) || record == null) {
                continue;
            }
            for (Map.Entry<Long, Presence> e : part.entries().entrySet()) {
                if (!record.seen.contains(e.getKey())) {
                    record.entries.put(e.getKey(), e.getValue());
                    if (record.up) {
                        joins.add(e.getValue());
                    }
                }
            }
            for (long clock : observedRemoves(record, part)) {
                Presence removed = record.entries.remove(clock);
                if (record.up) {
                    leaves.add(removed);
                }
            }
            record.seen = record.seen.union(part.seen());
        }
        return joins.isEmpty() && leaves.isEmpty() ? PresenceDiff.EMPTY : new PresenceDiff(joins, leaves);
    }

    /** Clocks of local entries that the remote part has seen but no longer holds. */
    private static List<Long> observedRemoves(ReplicaRecord record, ReplicaDelta part) {
        List<Long> removed = new ArrayList<>();
        // Walk whichever side is smaller: a gossip delta covers a few dots, a transfer many.
        if (part.seen().size() < record.entries.size()) {
            part.seen().forEach(clock -> {
                if (record.entries.containsKey(clock) && !part.entries().containsKey(clock)) {
                    removed.add(clock);
                }
            });
        } else {
            for (Long clock : record.entries.keySet()) {
                if (part.seen().contains(clock) && !part.entries().containsKey(clock)) {
                    removed.add(clock);
                }
            }
        }
        return removed;
    }

    /** This replica's own dots and entries: what a peer that fell behind on us needs. */
    public Delta extractOwn() {
        return extract(List.of(self));
    }

    /**
     * {@link #extractOwn()} cut into deltas of at most {@code maxEntries} entries each, by ranges of
     * this replica's clock. Each piece is a delta in its own right (it speaks of its range of dots
     * only), so a receiver can merge them one by one, in any order, and a huge state never has to
     * travel in one message.
     */
    public List<Delta> extractOwn(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("chunks hold at least one entry, was " + maxEntries);
        }
        ReplicaRecord own = own();
        long clock = own.seen.max();
        Long[] clocks = own.entries.keySet().toArray(new Long[0]);
        java.util.Arrays.sort(clocks);
        List<Delta> chunks = new ArrayList<>();
        long from = 1;
        for (int i = 0; i < clocks.length; i += maxEntries) {
            int end = Math.min(i + maxEntries, clocks.length);
            long to = end == clocks.length ? clock : clocks[end - 1];
            Map<Long, Presence> entries = new HashMap<>(end - i);
            for (int j = i; j < end; j++) {
                entries.put(clocks[j], own.entries.get(clocks[j]));
            }
            chunks.add(new Delta(self, List.of(new ReplicaDelta(self, DotSet.range(from, to), entries))));
            from = to + 1;
        }
        if (chunks.isEmpty()) {
            chunks.add(new Delta(self, List.of(new ReplicaDelta(self, own.seen, Map.of()))));
        }
        return chunks;
    }

    /** The full state of the given replicas (those this state knows), as a delta. */
    public Delta extract(Collection<ReplicaId> wanted) {
        List<ReplicaDelta> parts = new ArrayList<>();
        for (ReplicaId replica : wanted) {
            ReplicaRecord record = replicas.get(replica);
            if (record != null) {
                parts.add(new ReplicaDelta(replica, record.seen, record.entries));
            }
        }
        return new Delta(self, parts);
    }

    // ---------------------------------------------------------------- replica liveness

    /** Makes a replica known and visible; a replica that was down shows its stored entries again. */
    public PresenceDiff replicaUp(ReplicaId replica) {
        ReplicaRecord record = replicas.get(replica);
        if (record == null) {
            replicas.put(replica, new ReplicaRecord());
            return PresenceDiff.EMPTY;
        }
        if (record.up) {
            return PresenceDiff.EMPTY;
        }
        record.up = true;
        return new PresenceDiff(List.copyOf(record.entries.values()), List.of());
    }

    /** Hides a replica's entries but keeps them, as for a member that left the view and may come back. */
    public PresenceDiff replicaDown(ReplicaId replica) {
        ReplicaRecord record = replicas.get(replica);
        if (replica.equals(self) || record == null || !record.up) {
            return PresenceDiff.EMPTY;
        }
        record.up = false;
        return new PresenceDiff(List.of(), List.copyOf(record.entries.values()));
    }

    /** Forgets a replica entirely: its entries and its dots. */
    public PresenceDiff permdown(ReplicaId replica) {
        if (replica.equals(self)) {
            throw new IllegalArgumentException("a replica cannot permdown itself");
        }
        ReplicaRecord record = replicas.remove(replica);
        if (record == null || !record.up) {
            return PresenceDiff.EMPTY;
        }
        return new PresenceDiff(List.of(), List.copyOf(record.entries.values()));
    }

    // ---------------------------------------------------------------- queries

    public boolean knows(ReplicaId replica) {
        return replicas.containsKey(replica);
    }

    public boolean isUp(ReplicaId replica) {
        ReplicaRecord record = replicas.get(replica);
        return record != null && record.up;
    }

    /** The known peer replica of the given node name other than {@code replica} itself, if any. */
    public ReplicaId otherIncarnationOf(ReplicaId replica) {
        for (ReplicaId known : replicas.keySet()) {
            if (known.node().equals(replica.node()) && !known.equals(replica) && !known.equals(self)) {
                return known;
            }
        }
        return null;
    }

    public Set<ReplicaId> replicaIds() {
        return Set.copyOf(replicas.keySet());
    }

    /** The dots of {@code replica} this state has seen; empty if unknown. */
    public DotSet seen(ReplicaId replica) {
        ReplicaRecord record = replicas.get(replica);
        return record == null ? DotSet.EMPTY : record.seen;
    }

    /** This replica's own clock: the number of events it has performed. */
    public long clock() {
        return own().seen.max();
    }

    /** Number of stored entries, visible or hidden. */
    public int size() {
        int n = 0;
        for (ReplicaRecord record : replicas.values()) {
            n += record.entries.size();
        }
        return n;
    }

    /** Number of stored entries of one replica. */
    public int size(ReplicaId replica) {
        ReplicaRecord record = replicas.get(replica);
        return record == null ? 0 : record.entries.size();
    }

    /** Every visible entry by dot, in a stable order; for tests and diagnostics (linear time). */
    public Map<Dot, Presence> visibleEntries() {
        Map<Dot, Presence> out = new TreeMap<>(PresenceState::compareDots);
        replicas.forEach((replica, record) -> {
            if (record.up) {
                record.entries.forEach((clock, p) -> out.put(new Dot(replica, clock), p));
            }
        });
        return out;
    }

    /** Every stored entry, visible or hidden, by dot; for tests and diagnostics (linear time). */
    public Map<Dot, Presence> storedEntries() {
        Map<Dot, Presence> out = new TreeMap<>(PresenceState::compareDots);
        replicas.forEach((replica, record) ->
                record.entries.forEach((clock, p) -> out.put(new Dot(replica, clock), p)));
        return out;
    }

    private static int compareDots(Dot a, Dot b) {
        int byReplica = a.replica().compareTo(b.replica());
        return byReplica != 0 ? byReplica : Long.compare(a.clock(), b.clock());
    }

    /** An independent deep copy. */
    public PresenceState copy() {
        PresenceState c = new PresenceState(self);
        c.replicas.clear();
        replicas.forEach((replica, record) -> c.replicas.put(replica, record.copy()));
        ownByConnection.forEach((connection, topics) -> c.ownByConnection.put(connection, new HashMap<>(topics)));
        c.pending = pending.copy();
        return c;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PresenceState[").append(self);
        replicas.forEach((replica, record) -> sb.append(", ").append(replica)
                .append(record.up ? " up " : " down ").append(record.seen)
                .append(" ").append(record.entries.size()).append(" entries"));
        return sb.append(']').toString();
    }

    private ReplicaRecord own() {
        return replicas.get(self);
    }

    /** What this state holds about one replica. */
    private static final class ReplicaRecord {
        DotSet seen = DotSet.EMPTY;
        boolean up = true;
        final Map<Long, Presence> entries = new HashMap<>();

        ReplicaRecord copy() {
            ReplicaRecord c = new ReplicaRecord();
            c.seen = seen;
            c.up = up;
            c.entries.putAll(entries);
            return c;
        }
    }

    /** The outgoing delta: this replica's new dots, and which of them are live entries. */
    private static final class PendingPart {
        DotSet seen = DotSet.EMPTY;
        final Map<Long, Presence> entries = new HashMap<>();

        PendingPart copy() {
            PendingPart c = new PendingPart();
            c.seen = seen;
            c.entries.putAll(entries);
            return c;
        }
    }
}
