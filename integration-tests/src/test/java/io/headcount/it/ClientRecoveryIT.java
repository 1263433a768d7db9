package io.headcount.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.it.PhoenixDriver.Event;
import io.headcount.node.auth.TokenService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real phoenix client recovering on its own: after its node is killed and restarted (it reconnects
 * through the load balancer and rejoins), and after a heartbeat timeout (its node froze for a moment).
 * Counts are exact afterwards.
 */
class ClientRecoveryIT {

    static final String SECRET = "client-recovery-it-secret-0123456789";
    static final Duration SETTLE = Duration.ofSeconds(20);

    final Path work = ItEnvironment.workDir("client-recovery");
    final Cleanup cleanup = new Cleanup();

    @AfterEach
    void cleanUp() {
        cleanup.closeAll();
    }

    static String token(String user) {
        return new TokenService(List.of(SECRET)).mint(user, Duration.ofHours(1), Instant.now());
    }

    @Test
    void clientsOfAKilledAndRestartedNodeRejoinThroughTheLoadBalancerWithExactCounts() throws Exception {
        String topic = "video:7";
        LocalClusterScript cluster = LocalClusterScript.start(3, work.resolve("cluster"), Map.of("HEADCOUNT_SECRET", SECRET));
        cleanup.add(cluster);
        PhoenixDriver clients = new PhoenixDriver(work);
        cleanup.add(clients);
        NodeProcess n2 = cluster.node(2);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) { // round robin spreads them over the three nodes
            String id = "lb-" + i;
            clients.open(id, cluster.loadBalancerSocketUrl(), i < 6 ? null : token("user-" + i));
            clients.join(id, topic);
            ids.add(id);
        }
        clients.open("obs-n1", cluster.node(1).socketUrl(), null);
        clients.join("obs-n1", topic);
        ids.add("obs-n1");
        for (String id : ids) {
            clients.awaitCounts(id, topic, 7, 3, SETTLE);
        }

        int before = clients.events().size();
        long killedAt = System.currentTimeMillis();
        n2.kill();
        clients.awaitEvent(e -> clients.events().indexOf(e) >= before && e.ev().equals("close"), SETTLE,
                "node 2's clients losing their socket");
        NodeProcess restarted = NodeProcess.start(n2.name, n2.httpPort, n2.clusterPort, cluster.clusterHosts(), work,
                "--secret", SECRET);
        cleanup.add(restarted);
        // node 2's clients reconnect through nginx to a live node and rejoin: each gets a new state
        List<String> moved = clients.events().subList(before, clients.events().size()).stream()
                .filter(e -> e.ev().equals("close")).map(Event::id).distinct().toList();
        double settled = 0;
        for (String id : moved) {
            Event e = clients.awaitEvent(x -> clients.events().indexOf(x) >= before && x.isCounts(id, topic)
                    && "state".equals(x.kind()) && x.viewers() == 7 && x.users() == 3, SETTLE, id + " rejoined at 7/3");
            settled = Math.max(settled, e.t() - killedAt);
        }
        for (String id : ids) {
            clients.awaitCounts(id, topic, 7, 3, SETTLE);
        }
        long deadline = System.currentTimeMillis() + SETTLE.toMillis();
        long[] atRestarted = null;
        while (System.currentTimeMillis() < deadline) {
            atRestarted = Http.topicCounts(restarted.url(), topic);
            if (atRestarted != null && atRestarted[0] == 7 && atRestarted[1] == 3) {
                break;
            }
            Thread.sleep(50);
        }
        assertArrayEquals(new long[] {7, 3}, atRestarted, "the restarted node counts the same");
        // new sockets through the load balancer, some landing on the restarted node, see the same
        for (int i = 0; i < 3; i++) {
            clients.open("late-" + i, cluster.loadBalancerSocketUrl(), null);
            clients.join("late-" + i, topic);
        }
        for (String id : List.of("late-0", "late-1", "late-2", "obs-n1", "lb-8")) {
            clients.awaitCounts(id, topic, 10, 3, SETTLE);
        }
        assertNeverNegative(clients, ids, topic);
        System.out.printf("FIGURE SIGKILL of node 2 -> its %d clients reconnected through nginx, rejoined, exact: "
                + "%.0f ms%n", moved.size(), settled);
    }

    @Test
    void aClientWhoseHeartbeatTimesOutReconnectsAndCountsExactlyAgain() throws Exception {
        String topic = "video:hb";
        LocalClusterScript cluster = LocalClusterScript.start(2, work.resolve("cluster"), Map.of("HEADCOUNT_SECRET", SECRET));
        cleanup.add(cluster);
        PhoenixDriver clients = new PhoenixDriver(work);
        cleanup.add(clients);
        NodeProcess n1 = cluster.node(1);
        clients.open("hb", n1.socketUrl(), token("user-hb"),
                new ObjectMapper().createObjectNode().put("heartbeatIntervalMs", 300));
        clients.join("hb", topic);
        clients.open("obs", cluster.node(2).socketUrl(), null);
        clients.join("obs", topic);
        clients.awaitCounts("hb", topic, 1, 1, SETTLE);
        clients.awaitCounts("obs", topic, 1, 1, SETTLE);

        int before = clients.events().size();
        n1.pause(); // shorter than the cluster's failure timeout: the node itself is not suspected
        try {
            // the client's heartbeat goes unanswered: it gives up on the socket
            clients.awaitEvent(e -> clients.events().indexOf(e) >= before && e.ev().equals("channel_error")
                    && "hb".equals(e.id()), Duration.ofSeconds(5), "heartbeat timeout");
        } finally {
            n1.resume();
        }
        clients.awaitEvent(e -> clients.events().indexOf(e) >= before && e.ev().equals("open") && "hb".equals(e.id()),
                SETTLE, "the client reconnected");
        clients.awaitCounts("hb", topic, 1, 1, SETTLE);
        clients.awaitCounts("obs", topic, 1, 1, SETTLE);
        for (NodeProcess n : List.of(n1, cluster.node(2))) {
            assertArrayEquals(new long[] {1, 1}, Http.topicCounts(n.url(), topic), "counted once on " + n.name);
        }
        assertNeverNegative(clients, List.of("hb", "obs"), topic);
    }

    private static void assertNeverNegative(PhoenixDriver clients, List<String> ids, String topic) {
        for (String id : ids) {
            for (Event e : clients.counts(id, topic)) {
                assertTrue(e.viewers() >= 0 && e.users() >= 0, id + " went negative: " + e);
            }
        }
    }
}
