package io.headcount.tracker.crdt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Per-topic counts of the visible presences, kept incrementally from {@link PresenceDiff}s so that
 * reading a topic's counts is O(1) (Phoenix users had to list a topic and take its length).
 *
 * <p>Only the owner thread calls {@link #apply}; {@link #counts} may be called from any thread and
 * returns the counts as of the last applied diff. Topics whose counts drop to zero are forgotten.
 */
public final class CountTable {

    private final CountingMode mode;
    private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

    public CountTable(CountingMode mode) {
        this.mode = mode;
    }

    public Counts counts(String topic) {
        Tally tally = tallies.get(topic);
        return tally == null ? Counts.ZERO : tally.published;
    }

    /** Number of topics with a non-zero count. */
    public int topicCount() {
        return tallies.size();
    }

    /** Visits the topics with a non-zero count and their counts; weakly consistent, from any thread. */
    public void forEach(BiConsumer<String, Counts> visitor) {
        tallies.forEach((topic, tally) -> visitor.accept(topic, tally.published));
    }

    /** The topics with a non-zero count and their counts; a weakly consistent view for diagnostics. */
    public Map<String, Counts> snapshot() {
        Map<String, Counts> out = new HashMap<>();
        tallies.forEach((topic, tally) -> out.put(topic, tally.published));
        return out;
    }

    /**
     * Applies a diff and returns, per touched topic, how its counts moved. Joins are applied before
     * leaves, so in {@link CountingMode#DISTINCT} mode a user who moves from one connection to
     * another within the batch neither leaves nor joins.
     */
    public List<CountChange> apply(PresenceDiff diff) {
        if (diff.isEmpty()) {
            return List.of();
        }
        Map<String, Batch> batches = new LinkedHashMap<>();
        for (Presence p : diff.joins()) {
            batch(batches, p.topic()).join(p);
        }
        for (Presence p : diff.leaves()) {
            batch(batches, p.topic()).leave(p);
        }
        List<CountChange> changes = new ArrayList<>(batches.size());
        for (Batch batch : batches.values()) {
            CountChange change = batch.finish();
            if (!change.isEmpty()) {
                changes.add(change);
            }
        }
        return changes;
    }

    private Batch batch(Map<String, Batch> batches, String topic) {
        return batches.computeIfAbsent(topic, t -> new Batch(t, tallies.computeIfAbsent(t, x -> new Tally())));
    }

    /** Live numbers of one topic; mutated by the owner thread only. */
    private static final class Tally {
        long viewers;
        long userConnections;
        /** Connections per user id; kept in {@link CountingMode#DISTINCT} mode only. */
        final Map<String, Integer> connectionsByUser = new HashMap<>();
        volatile Counts published = Counts.ZERO;
    }

    /** The effect of one diff on one topic. */
    private final class Batch {
        final String topic;
        final Tally tally;
        long viewersJoined;
        long viewersLeft;
        long usersJoined;
        long usersLeft;
        /** DISTINCT mode: each touched user's connection count before the batch. */
        final Map<String, Integer> before = new HashMap<>();

        Batch(String topic, Tally tally) {
            this.topic = topic;
            this.tally = tally;
        }

        void join(Presence p) {
            if (!p.isUser()) {
                tally.viewers++;
                viewersJoined++;
                return;
            }
            tally.userConnections++;
            if (mode == CountingMode.CONNECTIONS) {
                usersJoined++;
            } else {
                int n = tally.connectionsByUser.getOrDefault(p.userId(), 0);
                before.putIfAbsent(p.userId(), n);
                tally.connectionsByUser.put(p.userId(), n + 1);
            }
        }

        void leave(Presence p) {
            if (!p.isUser()) {
                requirePositive(tally.viewers, p);
                tally.viewers--;
                viewersLeft++;
                return;
            }
            requirePositive(tally.userConnections, p);
            tally.userConnections--;
            if (mode == CountingMode.CONNECTIONS) {
                usersLeft++;
            } else {
                int n = tally.connectionsByUser.getOrDefault(p.userId(), 0);
                requirePositive(n, p);
                before.putIfAbsent(p.userId(), n);
                if (n == 1) {
                    tally.connectionsByUser.remove(p.userId());
                } else {
                    tally.connectionsByUser.put(p.userId(), n - 1);
                }
            }
        }

        CountChange finish() {
            before.forEach((user, n) -> {
                boolean present = tally.connectionsByUser.containsKey(user);
                if (n == 0 && present) {
                    usersJoined++;
                } else if (n > 0 && !present) {
                    usersLeft++;
                }
            });
            long users = mode == CountingMode.CONNECTIONS ? tally.userConnections : tally.connectionsByUser.size();
            tally.published = new Counts(tally.viewers, users);
            if (tally.viewers == 0 && tally.userConnections == 0) {
                tallies.remove(topic);
            }
            return new CountChange(topic, new Counts(viewersJoined, usersJoined), new Counts(viewersLeft, usersLeft));
        }

        private void requirePositive(long n, Presence p) {
            if (n <= 0) {
                throw new IllegalStateException("leave of a presence that was never counted: " + p);
            }
        }
    }
}
