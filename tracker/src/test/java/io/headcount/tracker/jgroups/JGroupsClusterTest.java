package io.headcount.tracker.jgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.tracker.CountsListener;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.replication.ReplicaStatus;
import io.headcount.tracker.testing.Await;
import io.headcount.tracker.testing.TestPorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jgroups.JChannel;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Trackers replicating over the real JGroups TCP stack on loopback, in one JVM. */
class JGroupsClusterTest {

    static final String TOPIC = "video:42";
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    final String clusterName = "test-" + UUID.randomUUID();
    final List<Integer> ports = new ArrayList<>();
    final List<Member> members = new ArrayList<>();

    record Member(Tracker tracker, JGroupsTransport transport) {
    }

    @AfterEach
    void closeAll() {
        for (Member m : members) {
            m.tracker.close();
        }
    }

    Member start(String name, int index) throws Exception {
        List<InetSocketAddress> hosts = ports.stream().map(p -> new InetSocketAddress(LOOPBACK, p)).toList();
        JGroupsSettings settings = new JGroupsSettings(clusterName, name, LOOPBACK, ports.get(index), hosts, 100,
                Duration.ofSeconds(2), Duration.ofMillis(300));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrackerConfig config = TrackerConfig.defaults().withHeartbeatInterval(Duration.ofMillis(200));
        JGroupsTransport transport = new JGroupsTransport(settings, config.shards(), registry);
        Tracker tracker = Tracker.start(config, new ReplicaId(name, System.nanoTime()), transport,
                CountsListener.NONE, registry);
        Member m = new Member(tracker, transport);
        members.add(m);
        return m;
    }

    List<Member> startCluster(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            ports.add(TestPorts.allocate(100));
        }
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(start("n" + i, i));
        }
        Await.until(Duration.ofSeconds(10), () -> out.stream().allMatch(m -> m.transport.members().size() == n),
                () -> "one view of " + n);
        return out;
    }

    static void awaitCounts(Counts expected, List<Member> on) {
        Await.until(Duration.ofSeconds(5), () -> on.stream().allMatch(m -> m.tracker.counts(TOPIC).equals(expected)),
                () -> "counts " + on.stream().map(m -> m.tracker.counts(TOPIC)).toList() + ", expected " + expected);
    }

    @Test
    void presencesReplicateAndAGracefulLeavePurgesThem() throws Exception {
        List<Member> c = startCluster(3);
        c.get(0).tracker.track(TOPIC, 1, null);
        c.get(0).tracker.track(TOPIC, 2, "alice");
        c.get(1).tracker.track(TOPIC, 1, null);
        c.get(2).tracker.track(TOPIC, 1, "bob");
        awaitCounts(new Counts(2, 2), c);

        c.get(1).tracker.untrack(TOPIC, 1);
        awaitCounts(new Counts(1, 2), c);

        ReplicaId leaving = c.get(2).tracker.self();
        c.get(2).tracker.close();
        members.remove(c.get(2));
        List<Member> rest = c.subList(0, 2);
        awaitCounts(new Counts(1, 1), rest);
        for (Member m : rest) {
            for (Map<ReplicaId, ReplicaStatus> shard : m.tracker.status().shards()) {
                assertTrue(!shard.containsKey(leaving), "purged at once, not kept down");
            }
        }
    }

    @Test
    void aNodeThatJoinsLaterReceivesEverything() throws Exception {
        ports.add(TestPorts.allocate(100));
        ports.add(TestPorts.allocate(100));
        Member first = start("n0", 0);
        for (int i = 0; i < 500; i++) {
            first.tracker.track("video:" + (i % 10), i, i % 3 == 0 ? "u" + i : null);
        }
        first.tracker.track(TOPIC, 1000, "alice");
        Member late = start("n1", 1);
        awaitCounts(new Counts(0, 1), List.of(first, late));
        Await.until(Duration.ofSeconds(5), () -> java.util.stream.IntStream.range(0, 10).allMatch(
                t -> first.tracker.counts("video:" + t).equals(late.tracker.counts("video:" + t))),
                () -> "every shard transferred to the late node");
        assertEquals(new Counts(33, 17), late.tracker.counts("video:0"));
    }

    @Test
    void aMemberCutOffIsMarkedDownAndCountedAgainAfterTheHeal() throws Exception {
        List<Member> c = startCluster(3);
        c.get(0).tracker.track(TOPIC, 1, null);
        c.get(2).tracker.track(TOPIC, 1, "carol");
        awaitCounts(new Counts(1, 1), c);

        // Symmetric split {n0,n1} | {n2} by dropping messages above the transport (FD_ALL3 notices).
        JChannel isolated = channel(c.get(2));
        DISCARD discard = new DISCARD().discardAll(true);
        isolated.stack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        List<DISCARD> others = new ArrayList<>();
        for (Member m : c.subList(0, 2)) {
            DISCARD d = new DISCARD().addIgnoredMembers(isolated.getAddress());
            channel(m).stack().insertProtocol(d, ProtocolStack.Position.ABOVE, TP.class);
            others.add(d);
        }
        awaitCounts(new Counts(1, 0), c.subList(0, 2));
        awaitCounts(new Counts(0, 1), List.of(c.get(2)));

        discard.discardAll(false);
        others.forEach(DISCARD::resetIgnoredMembers);
        Await.until(Duration.ofSeconds(20), () -> c.stream().allMatch(m -> m.tracker.counts(TOPIC).equals(new Counts(1, 1))),
                () -> "merged counts " + c.stream().map(m -> m.tracker.counts(TOPIC)).toList());
    }

    private static JChannel channel(Member m) throws Exception {
        java.lang.reflect.Field f = JGroupsTransport.class.getDeclaredField("channel");
        f.setAccessible(true);
        return (JChannel) f.get(m.transport);
    }
}
