package io.headcount.tracker.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.tracker.TopicCounts;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.testing.SimulatedCluster;
import io.headcount.tracker.testing.SimulatedCluster.Faults;
import io.headcount.tracker.testing.SimulatedCluster.Node;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a node tells its dashboard: presences per replica, the busiest topics, convergence latency. */
class ClusterFiguresTest {

    static final TrackerConfig CONFIG = TrackerConfig.defaults()
            .withShards(2)
            .withFlushWindow(Duration.ofMillis(20))
            .withHeartbeatInterval(Duration.ofMillis(100));
    /** Three heartbeats: long enough for nodes to know each other, and for a change to be everywhere. */
    static final Duration SETTLE = Duration.ofMillis(300);

    @Test
    void convergenceIsMeasuredFromTheOldestChangeOfADeltaToItsMerge() {
        // reliable network: 0-2 ms per message; a delta leaves 20 ms after its first change
        SimulatedCluster c = new SimulatedCluster(11, CONFIG, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(SETTLE);
        long before = b.replicator().convergence().samples();
        a.join("video:1", null);
        c.run(Duration.ofMillis(10));
        a.join("video:1", null); // same delta, 10 ms younger: the figure is the older change's
        c.run(Duration.ofMillis(200));
        Convergence seen = b.replicator().convergence();
        assertEquals(before + 1, seen.samples(), "one delta carried both joins");
        // 20 ms window + 0-2 ms network; the windowed figures are histogram approximations, within 1 %
        assertTrue(seen.maxMillis() >= 19.8 && seen.maxMillis() <= 22.3, "was " + seen);
        assertEquals(seen.maxMillis(), seen.p50Millis(), 1e-9, "one sample: every percentile is it");
    }

    @Test
    void presencesPerReplicaCountWhatEachNodeHolds() {
        SimulatedCluster c = new SimulatedCluster(12, CONFIG, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(SETTLE);
        a.join("video:1", null);
        a.join("video:2", "u1");
        b.join("video:1", "u2");
        c.run(SETTLE);
        Map<?, Integer> seenByA = a.replicator().presencesByReplica();
        assertEquals(Map.of(a.replica(), 2, b.replica(), 1), seenByA);
        assertEquals(seenByA, b.replicator().presencesByReplica());
    }

    @Test
    void everyNodeKnowsEveryNodesConnectionsFromItsHeartbeats() {
        SimulatedCluster c = new SimulatedCluster(14, CONFIG, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        Node n3 = c.start("c");
        a.replicator().reportConnections(() -> 7);
        b.replicator().reportConnections(() -> 18_000);
        c.run(SETTLE);
        Map<?, Long> expected = Map.of(a.replica(), 7L, b.replica(), 18_000L, n3.replica(), 0L);
        for (Node n : List.of(a, b, n3)) {
            assertEquals(expected, n.replicator().connectionsByReplica(), "as seen by " + n.replica());
        }
        c.crash("b");
        c.run(SETTLE);
        assertEquals(Map.of(a.replica(), 7L, n3.replica(), 0L), a.replicator().connectionsByReplica(),
                "a down replica's last figure is stale: left out");
    }

    @Test
    void busiestTopicsComeFirstTiesByNameAndTheListIsCut() {
        SimulatedCluster c = new SimulatedCluster(13, CONFIG, Faults.reliable());
        Node a = c.start("a");
        Node b = c.start("b");
        c.run(SETTLE);
        for (int topic = 1; topic <= 6; topic++) {
            for (int i = 0; i < topic % 4; i++) {
                (i % 2 == 0 ? a : b).join("video:" + topic, i == 0 ? "u" + i : null);
            }
        }
        c.run(SETTLE);
        // joins per topic: 1→1, 2→2, 3→3, 4→0, 5→1, 6→2
        List<TopicCounts> expected = List.of(
                new TopicCounts("video:3", new Counts(2, 1)),
                new TopicCounts("video:2", new Counts(1, 1)),
                new TopicCounts("video:6", new Counts(1, 1)));
        assertEquals(expected, a.replicator().busiestTopics(3));
        assertEquals(expected, b.replicator().busiestTopics(3));
        assertEquals(5, a.replicator().busiestTopics(10).size(), "topics with nobody are not listed");
    }
}
