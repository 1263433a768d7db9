package io.headcount.tracker.jgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.tracker.CountsListener;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.testing.Await;
import io.headcount.tracker.testing.TestPorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Every cluster socket binds to the node's bind address, the connecting side included (the transport
 * and failure detection). Two nodes bound to 127.0.0.2 and 127.0.0.3: no connection between their
 * ports may start from any other address. Reads the kernel's socket table, so Linux only.
 */
class BindAddressTest {

    @Test
    void clusterConnectionsLeaveFromTheBindAddress() throws Exception {
        Path tcpTable = Path.of("/proc/net/tcp");
        assertTrue(Files.isReadable(tcpTable), "needs Linux /proc/net/tcp");
        InetAddress a = InetAddress.getByName("127.0.0.2");
        InetAddress b = InetAddress.getByName("127.0.0.3");
        int portA = TestPorts.allocate(100);
        int portB = TestPorts.allocate(100);
        String cluster = "bind-" + UUID.randomUUID();
        List<InetSocketAddress> hosts = List.of(new InetSocketAddress(a, portA), new InetSocketAddress(b, portB));
        List<Tracker> trackers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                InetAddress addr = i == 0 ? a : b;
                int port = i == 0 ? portA : portB;
                JGroupsSettings settings = new JGroupsSettings(cluster, "n" + i, addr, port, hosts, 100,
                        Duration.ofSeconds(6), Duration.ofMillis(500));
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                TrackerConfig config = TrackerConfig.defaults().withShards(1);
                trackers.add(Tracker.start(config, new ReplicaId("n" + i, 1 + i), new JGroupsTransport(settings,
                        config.shards(), registry), CountsListener.NONE, registry));
            }
            trackers.get(0).track("video:1", 1, null);
            Await.until(Duration.ofSeconds(10), () -> trackers.get(1).counts("video:1").equals(new Counts(1, 0)),
                    () -> "replication between the two bound nodes");

            // listening endpoints of the two nodes: transport and failure detection
            Set<String> transport = Set.of("127.0.0.2:" + portA, "127.0.0.3:" + portB);
            Set<String> failureDetection = Set.of("127.0.0.2:" + (portA + 100), "127.0.0.3:" + (portB + 100));
            Set<String> sources = new HashSet<>();
            Await.until(Duration.ofSeconds(10), () -> {
                sources.clear();
                boolean[] seen = new boolean[2];
                for (String[] c : connections(tcpTable)) {
                    if (transport.contains(c[1])) {
                        seen[0] = true;
                        sources.add(c[0]);
                    } else if (failureDetection.contains(c[1])) {
                        seen[1] = true;
                        sources.add(c[0]);
                    }
                }
                return seen[0] && seen[1];
            }, () -> "transport and failure-detection connections between the nodes");
            assertFalse(sources.isEmpty(), "the nodes are connected");
            assertEquals(Set.of("127.0.0.2", "127.0.0.3"), sources, "connections start only from the bind addresses");
        } finally {
            trackers.forEach(Tracker::close);
        }
    }

    /** Established connections as {@code [local address, remote address:port]}. */
    private static List<String[]> connections(Path tcpTable) {
        List<String[]> out = new ArrayList<>();
        try {
            List<String> lines = Files.readAllLines(tcpTable);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[3].equals("01")) {
                    String[] local = f[1].split(":");
                    String[] remote = f[2].split(":");
                    out.add(new String[] {ipv4(local[0]), ipv4(remote[0]) + ":" + Integer.parseInt(remote[1], 16)});
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    /** /proc/net/tcp writes an IPv4 address as 8 hex digits, little-endian. */
    private static String ipv4(String hex) {
        long v = Long.parseLong(hex, 16);
        return (v & 0xFF) + "." + ((v >> 8) & 0xFF) + "." + ((v >> 16) & 0xFF) + "." + ((v >> 24) & 0xFF);
    }
}
