package io.headcount.tracker.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.CountingMode;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.testing.SimulatedCluster.Faults;
import io.headcount.tracker.testing.SimulatedCluster.Node;
import io.headcount.tracker.testing.SimulatedCluster;
import io.headcount.tracker.wire.DeltaBroadcast;
import io.headcount.tracker.wire.Transfer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import org.junit.jupiter.api.Test;

/** The replication protocol on a deterministic simulated cluster. */
class SimulatedClusterTest {

    static final String TOPIC = "video:42";
    static final List<String> TOPICS = List.of("video:1", "video:2", "video:3");
    static final TrackerConfig CONFIG = TrackerConfig.defaults()
            .withShards(2)
            .withHeartbeatInterval(Duration.ofMillis(100))
            .withPermdownPeriod(Duration.ofSeconds(3))
            .withTransferTimeout(Duration.ofMillis(500));

    SimulatedCluster cluster(long seed, Faults faults) {
        return new SimulatedCluster(seed, CONFIG, faults);
    }

    void settle(SimulatedCluster c, Duration max, List<String> topics) {
        assertTrue(c.runUntil(() -> c.converged(topics), max), () -> "not converged: " + c.describe(topics));
        assertEquals(List.of(), c.violations());
    }

    @Test
    void presencesOnEveryNodeAreCountedOnAll() {
        SimulatedCluster c = cluster(1, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        Node n3 = c.start("c");
        c.run(Duration.ofMillis(100));
        a.join(TOPIC, null);
        a.join(TOPIC, null);
        a.join(TOPIC, "u1");
        b.join(TOPIC, null);
        b.join(TOPIC, "u2");
        n3.join(TOPIC, "u3");
        settle(c, Duration.ofMillis(100), List.of(TOPIC));
        assertEquals(new Counts(3, 3), c.truth(TOPIC));
    }

    @Test
    void aCrashedNodesPresencesDisappearAtOnceAndDoNotComeBack() {
        // B01: n2 is SIGKILLed; its presences leave every survivor's counts and stay gone.
        SimulatedCluster c = cluster(2, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.start("c");
        c.run(Duration.ofMillis(100));
        a.join(TOPIC, "u1");
        a.join(TOPIC, null);
        for (int i = 2; i <= 3; i++) {
            b.join(TOPIC, "u" + i);
            b.join(TOPIC, null);
        }
        settle(c, Duration.ofMillis(200), List.of(TOPIC));
        assertEquals(new Counts(3, 3), a.counts(TOPIC));

        ReplicaId dead = b.replica();
        c.crash("b");
        settle(c, Duration.ofMillis(300), List.of(TOPIC));
        assertEquals(new Counts(1, 1), a.counts(TOPIC));

        c.run(Duration.ofSeconds(4)); // past the permdown period
        assertTrue(c.converged(List.of(TOPIC)));
        for (Node n : c.liveNodes()) {
            for (Map<ReplicaId, ReplicaStatus> shard : n.replicator().status().shards()) {
                assertFalse(shard.containsKey(dead), "nothing about the dead replica is left at " + n.replica());
            }
        }
    }

    @Test
    void aGracefulStopPurgesTheNodeAtOnce() {
        SimulatedCluster c = cluster(3, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(Duration.ofMillis(100));
        b.join(TOPIC, "u1");
        settle(c, Duration.ofMillis(100), List.of(TOPIC));
        ReplicaId leaving = b.replica();
        c.stop("b");
        assertTrue(c.runUntil(() -> !c.liveNodes().contains(b), Duration.ofMillis(100)));
        settle(c, Duration.ofMillis(10), List.of(TOPIC));
        assertEquals(Counts.ZERO, a.counts(TOPIC));
        assertTrue(a.replicator().status().shards().stream().noneMatch(s -> s.containsKey(leaving)),
                "purged, not merely down");
    }

    @Test
    void aRestartedNodeReplacesItsPreviousLife() {
        // The new incarnation may be seen before the old one is detected dead; its old presences go at once.
        SimulatedCluster c = cluster(4, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(Duration.ofMillis(100));
        b.join(TOPIC, "u1");
        b.join(TOPIC, null);
        settle(c, Duration.ofMillis(100), List.of(TOPIC));
        Node b2 = c.restart("b");
        b2.join(TOPIC, "u1");
        settle(c, Duration.ofMillis(400), List.of(TOPIC));
        assertEquals(new Counts(0, 1), a.counts(TOPIC));
    }

    @Test
    void aLostTransferChunkCannotLetTheRestHideARemove() {
        // Found by the random schedules (an earlier seeded runner, seed 1002981): b held a's entry at
        // dot 3; a's leave of it (dots 3 and 6) was lost; the full transfer came in chunks {1} {2}
        // {3..4} {5..6} and {3..4} was lost too. Merging {5..6} made b's clock of a read 6, complete,
        // so no heartbeat ever asked again, and dot 3 stayed counted for good. Chunks are now merged
        // only in order: after a lost one the rest is dropped and the request retried.
        TrackerConfig config = CONFIG.withShards(1).withMaxDeltaSize(1).withHistorySize(0).withTransferChunk(1);
        SimulatedCluster c = new SimulatedCluster(9, config, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(Duration.ofMillis(100));
        for (int i = 0; i < 5; i++) {
            a.join(TOPIC, null);
        }
        settle(c, Duration.ofMillis(100), List.of(TOPIC));
        boolean[] lostOnce = {false};
        c.dropWhere((to, m) -> {
            boolean chunkWithDot3 = to.equals("b") && m instanceof Transfer t
                    && t.state().parts().get(0).seen().contains(3) && !lostOnce[0];
            lostOnce[0] |= chunkWithDot3;
            return chunkWithDot3 || (to.equals("b") && m instanceof DeltaBroadcast);
        });
        a.leave(TOPIC, 3);
        settle(c, config.transferTimeout().plus(config.heartbeatInterval().multipliedBy(3)), List.of(TOPIC));
        assertTrue(lostOnce[0], "the chunk was lost");
        assertEquals(new Counts(4, 0), b.counts(TOPIC));
    }

    @Test
    void aWronglySuspectedNodeIsCountedAgainWithinAHeartbeat() {
        // Failure detection may suspect a live node; its presences are hidden at once, and come back
        // as from a healed partition as soon as it is heard from again.
        SimulatedCluster c = cluster(8, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.start("c");
        c.run(Duration.ofMillis(100));
        b.join(TOPIC, "u1");
        b.join(TOPIC, null);
        settle(c, Duration.ofMillis(100), List.of(TOPIC));
        c.falselySuspect("b");
        c.run(Duration.ofMillis(1));
        assertEquals(Counts.ZERO, a.counts(TOPIC), "hidden while suspected");
        settle(c, CONFIG.heartbeatInterval().plusMillis(50), List.of(TOPIC));
        assertEquals(new Counts(1, 1), a.counts(TOPIC));
    }

    @Test
    void bothSidesOfAPartitionCountTheirOwnThenMergeWhenItHeals() {
        // B05: {a,b} | {c,d}; changes on both sides during the cut; one count everywhere after the heal.
        SimulatedCluster c = cluster(5, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        Node n3 = c.start("c");
        Node d = c.start("d");
        c.run(Duration.ofMillis(100));
        a.join(TOPIC, "u1");
        long u2 = b.join(TOPIC, "u2");
        n3.join(TOPIC, "u3");
        long a1 = d.join(TOPIC, null);
        settle(c, Duration.ofMillis(200), List.of(TOPIC));

        c.partition(Set.of("a", "b"), Set.of("c", "d"));
        c.run(Duration.ofMillis(400));
        b.leave(TOPIC, u2);
        n3.join(TOPIC, "u2");
        a.join(TOPIC, "u5");
        d.leave(TOPIC, a1);
        c.run(Duration.ofMillis(500));
        assertEquals(new Counts(0, 2), a.counts(TOPIC), "a's side: u1, u5");
        assertEquals(new Counts(0, 2), d.counts(TOPIC), "d's side: u3, u2");

        c.heal();
        settle(c, Duration.ofSeconds(2), List.of(TOPIC));
        assertEquals(new Counts(0, 4), a.counts(TOPIC));
    }

    @Test
    void aNewNodeIsBroughtUpToDate() {
        SimulatedCluster c = cluster(6, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(Duration.ofMillis(100));
        for (int i = 0; i < 100; i++) {
            a.join("video:" + (i % 7), i % 2 == 0 ? null : "u" + i);
            b.join("video:" + (i % 5), null);
        }
        settle(c, Duration.ofMillis(200), topics(7));
        c.start("new");
        settle(c, Duration.ofMillis(200), topics(7));
    }

    @Test
    void steadyChurnOnAReliableNetworkNeedsNoTransfers() {
        // A heartbeat announcing changes still in the flush window made every peer ask for a full
        // transfer once per heartbeat under churn (review finding): deltas alone must suffice.
        SimulatedCluster c = cluster(7, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(Duration.ofMillis(500));
        double before = b.counter("headcount.replication.transfers", "kind", "requested");
        for (int i = 0; i < 2000; i++) {
            a.join("video:" + (i % 10), null);
            c.run(Duration.ofMillis(1));
        }
        settle(c, Duration.ofMillis(100), topics(10));
        assertEquals(before, b.counter("headcount.replication.transfers", "kind", "requested"));
    }

    @Property(tries = 1000, seed = "4191", shrinking = ShrinkingMode.OFF)
    void randomSchedulesOfChurnCrashesRestartsAndPartitionsConverge(@ForAll long seed) {
        // one seed draws the settings, the schedule and the simulation: a failure's sample replays it alone
        Random random = new Random(seed);
        SimulatedCluster c = new SimulatedCluster(random.nextLong(), randomConfig(random), Faults.hostile());
        runRandomSchedule(c, random);
        c.heal();
        for (String name : List.of("n0", "n1", "n2", "n3")) {
            if (c.node(name) == null || !c.liveNodes().contains(c.node(name))) {
                c.start(name);
            }
        }
        assertTrue(c.runUntil(() -> c.converged(TOPICS), Duration.ofSeconds(30)),
                () -> "not converged: " + c.describe(TOPICS));
        assertEquals(List.of(), c.violations());
    }

    /** Settings drawn so that small windows, tiny chunks and empty histories all get exercised. */
    static TrackerConfig randomConfig(Random random) {
        return CONFIG.withShards(1 + random.nextInt(3))
                .withFlushWindow(Duration.ofMillis(List.of(0, 2, 20).get(random.nextInt(3))))
                .withMaxDeltaSize(List.of(1, 5, 1000).get(random.nextInt(3)))
                .withHistorySize(List.of(0, 30, 10_000).get(random.nextInt(3)))
                .withTransferChunk(List.of(1, 7, 5000).get(random.nextInt(3)))
                .withCountingMode(random.nextBoolean() ? CountingMode.CONNECTIONS : CountingMode.DISTINCT);
    }

    /** Three simulated seconds of random operations, one every few milliseconds. */
    static void runRandomSchedule(SimulatedCluster c, Random random) {
        List<String> names = List.of("n0", "n1", "n2", "n3");
        for (String name : names.subList(0, 2 + random.nextInt(3))) {
            c.start(name);
        }
        for (int step = 0; step < 300; step++) {
            c.run(Duration.ofMillis(random.nextInt(20)));
            List<Node> live = c.liveNodes();
            int kind = random.nextInt(100);
            if (live.isEmpty() || kind < 2) {
                String name = names.get(random.nextInt(names.size()));
                if (c.node(name) == null || !live.contains(c.node(name))) {
                    c.start(name);
                }
                continue;
            }
            Node n = live.get(random.nextInt(live.size()));
            if (kind < 50) {
                n.join(TOPICS.get(random.nextInt(TOPICS.size())), random.nextBoolean() ? null : "u" + random.nextInt(5));
            } else if (kind < 80) {
                long conn = n.anyConnection(random);
                if (conn >= 0) {
                    n.leave(n.topicOf(conn), conn);
                }
            } else if (kind < 88) {
                long conn = n.anyConnection(random);
                if (conn >= 0) {
                    n.disconnect(conn);
                }
            } else if (kind < 91) {
                c.crash(n.replica().node());
            } else if (kind < 93) {
                c.restart(n.replica().node());
            } else if (kind < 94) {
                c.stop(n.replica().node());
            } else if (kind < 97) {
                c.partition(Set.of(n.replica().node()));
            } else {
                c.heal();
            }
        }
    }

    static List<String> topics(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> "video:" + i).toList();
    }
}
