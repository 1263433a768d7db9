package io.headcount.bench;

import io.headcount.bench.jmh.States;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.CountTable;
import io.headcount.tracker.crdt.CountingMode;
import io.headcount.tracker.crdt.PresenceState;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.replication.Transport;
import io.headcount.tracker.wire.ReplicationMessage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Figures of the tracker alone, in this JVM: track + untrack throughput of one node (no peers, no
 * sockets), and heap per tracked entry, this node's and other nodes' alike.
 */
final class TrackerFigures {

    private TrackerFigures() {
    }

    static void run() throws Exception {
        System.out.println("| figure | measured | conditions |");
        System.out.println("|---|---|---|");
        throughput(1_000_000, 3);
        memoryPerEntry(1_000_000);
    }

    /** A cluster of one: nothing to send, nobody to hear. */
    static final class Solo implements Transport {
        private final String name;

        Solo(String name) {
            this.name = name;
        }

        @Override
        public void start(Receiver receiver) {
        }

        @Override
        public void broadcast(ReplicationMessage message) {
        }

        @Override
        public void send(ReplicaId replica, ReplicationMessage message) {
        }

        @Override
        public boolean isMember(ReplicaId replica) {
            return false;
        }

        @Override
        public List<String> members() {
            return List.of(name);
        }

        @Override
        public void close() {
        }
    }

    static long total(Tracker tracker) {
        long n = 0;
        for (int t = 0; t < 1000; t++) {
            var c = tracker.counts(States.topic(t));
            n += c.viewers() + c.users();
        }
        return n;
    }

    static void throughput(int presences, int runs) throws Exception {
        List<Double> rates = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            ReplicaId self = new ReplicaId("solo", run + 1);
            try (Tracker tracker = Tracker.start(TrackerConfig.defaults(), self, new Solo("solo"), changes -> { },
                    new SimpleMeterRegistry())) {
                long start = System.nanoTime();
                for (long c = 0; c < presences; c++) {
                    tracker.track(States.topic(c), c, c % 3 == 0 ? "user-" + c : null);
                }
                while (total(tracker) < presences) {
                    TimeUnit.MILLISECONDS.sleep(1);
                }
                for (long c = 0; c < presences; c++) {
                    tracker.untrack(States.topic(c), c);
                }
                while (total(tracker) > 0) {
                    TimeUnit.MILLISECONDS.sleep(1);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                rates.add(2 * presences / seconds);
            }
        }
        Collections.sort(rates);
        System.out.printf(Locale.ROOT, "| tracker alone: track + untrack per second, one node | median %,.0f ops/s "
                + "(runs: %s) | %,d tracks then %,d untracks from one caller thread over 1,000 topics, 4 shards, "
                + "counted when every count has moved; in-process, no peers; target >= 200,000 ops/s: %s |%n",
                rates.get(rates.size() / 2), rates.stream().map(r -> String.format(Locale.ROOT, "%,.0f", r)).toList(),
                presences, presences, rates.get(rates.size() / 2) >= 200_000 ? "met" : "missed");
    }

    static long usedHeap() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(100);
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }

    static void memoryPerEntry(int entries) throws InterruptedException {
        long before = usedHeap();
        PresenceState own = States.withEntries(States.A, entries / 2);
        CountTable counts = new CountTable(CountingMode.CONNECTIONS);
        counts.apply(own.merge(States.withEntries(States.B, entries / 2).extractOwn()));
        long after = usedHeap();
        // keep both alive until after the measurement
        if (own.size() + counts.topicCount() == 0) {
            throw new IllegalStateException();
        }
        System.out.printf(Locale.ROOT, "| memory per tracked entry (other nodes' entries included) | %.0f B | %,d "
                + "entries in one shard's state and count table (half this node's, half merged from another), 1,000 "
                + "topics, 1 in 3 logged in; heap after GC, before minus after; target <= 200 B: %s |%n",
                (double) (after - before) / entries, entries, (after - before) / entries <= 200 ? "met" : "missed");
    }

}
