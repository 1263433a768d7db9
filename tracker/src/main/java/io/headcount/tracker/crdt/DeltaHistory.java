package io.headcount.tracker.crdt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The recent deltas a replica broadcast, kept so that a peer that missed a few can be sent just
 * those instead of the whole state (Phoenix's delta generations).
 *
 * <p>Each delta covers the replica's own clock from where the previous one ended; the history
 * keeps the newest ones whose total size (dots plus entries) stays within a bound, dropping the
 * oldest. A peer that has seen every dot up to {@code prefix} can be served from the history when
 * the oldest kept delta starts at or before it: the deltas after {@code prefix}, merged, carry every
 * join since and every remove since, including removes of older entries. Only the replica's own
 * deltas are kept, so nothing here can resurrect another replica's entries.
 */
public final class DeltaHistory {

    private final long maxSize;
    private final Deque<Entry> deltas = new ArrayDeque<>();
    private long size;

    private record Entry(long fromClock, long toClock, ReplicaDelta delta, long size) {
    }

    /** @param maxSize bound on the dots and entries kept; 0 keeps nothing */
    public DeltaHistory(long maxSize) {
        if (maxSize < 0) {
            throw new IllegalArgumentException("history size must not be negative, was " + maxSize);
        }
        this.maxSize = maxSize;
    }

    /**
     * Records a delta this replica broadcast, which took its clock from {@code fromClock} to
     * {@code toClock}. Deltas must be recorded in order.
     */
    public void record(Delta delta, long fromClock, long toClock) {
        if (!deltas.isEmpty() && deltas.peekLast().toClock != fromClock) {
            throw new IllegalArgumentException("deltas must follow each other: last ended at clock "
                    + deltas.peekLast().toClock + ", this one starts at " + fromClock);
        }
        ReplicaDelta own = delta.parts().get(0);
        long n = own.seen().size() + own.entries().size();
        if (n > maxSize) {
            deltas.clear(); // too big to keep: the history restarts after it
            size = 0;
            deltas.add(new Entry(toClock, toClock, null, 0));
            return;
        }
        deltas.add(new Entry(fromClock, toClock, own, n));
        size += n;
        while (size > maxSize) {
            size -= deltas.removeFirst().size;
        }
    }

    /**
     * What a peer that has seen every dot of ours up to {@code prefix} needs, merged into one delta,
     * or empty if the history no longer reaches back that far.
     */
    public Optional<Delta> since(ReplicaId self, long prefix) {
        if (deltas.isEmpty() || deltas.peekFirst().fromClock > prefix) {
            return Optional.empty();
        }
        DotSet seen = DotSet.EMPTY;
        Map<Long, Presence> entries = new HashMap<>();
        for (Iterator<Entry> it = deltas.iterator(); it.hasNext(); ) {
            Entry e = it.next();
            if (e.toClock <= prefix || e.delta == null) {
                continue;
            }
            // a later delta's dots include the clocks of entries it removed
            e.delta.seen().forEach(entries::remove);
            seen = seen.union(e.delta.seen());
            entries.putAll(e.delta.entries());
        }
        return Optional.of(new Delta(self, seen.isEmpty() ? java.util.List.of()
                : java.util.List.of(new ReplicaDelta(self, seen, entries))));
    }

    /** Dots and entries kept. */
    public long size() {
        return size;
    }
}
