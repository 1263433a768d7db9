package io.headcount.bench;

import io.headcount.tracker.CountsListener;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.jgroups.JGroupsSettings;
import io.headcount.tracker.jgroups.JGroupsTransport;
import io.headcount.tracker.testing.TestPorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Trackers over the real JGroups stack on 127.0.0.1, in this JVM, each on its own ports. */
final class LoopbackCluster implements AutoCloseable {

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    record Member(String name, int port, Tracker tracker, JGroupsTransport transport, SimpleMeterRegistry registry) {
    }

    final String name = "bench-" + UUID.randomUUID();
    final TrackerConfig config;
    final Duration failureTimeout;
    final List<Integer> ports = new ArrayList<>();
    final List<Member> members = new ArrayList<>();

    LoopbackCluster(int size, TrackerConfig config, Duration failureTimeout) {
        this.config = config;
        this.failureTimeout = failureTimeout;
        for (int i = 0; i < size; i++) {
            ports.add(TestPorts.allocate(100));
        }
    }

    Member start(int index) throws Exception {
        return start(index, CountsListener.NONE);
    }

    /** Starts member {@code index}, its count changes reported to {@code listener}. */
    Member start(int index, CountsListener listener) throws Exception {
        List<InetSocketAddress> hosts = ports.stream().map(p -> new InetSocketAddress(LOOPBACK, p)).toList();
        String node = "n" + index;
        JGroupsSettings settings = new JGroupsSettings(name, node, LOOPBACK, ports.get(index), hosts, 100,
                failureTimeout, Duration.ofMillis(500));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        JGroupsTransport transport = new JGroupsTransport(settings, config.shards(), registry);
        Tracker tracker = Tracker.start(config, new ReplicaId(node, System.nanoTime()), transport, listener, registry);
        Member m = new Member(node, ports.get(index), tracker, transport, registry);
        members.add(m);
        return m;
    }

    /** Kills a member as a crash would: nothing more leaves it, its sockets close, no goodbye. */
    void crash(Member m) throws Exception {
        org.jgroups.util.Util.shutdown(m.transport().channel());
        m.tracker().close();
        members.remove(m);
    }

    @Override
    public void close() {
        for (Member m : List.copyOf(members)) {
            m.tracker().close();
        }
        members.clear();
    }
}
