package io.headcount.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.it.PhoenixDriver.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The main job end to end (issue 2's acceptance): a 3-node cluster of separate JVMs behind nginx,
 * started by the README's command, counted by the real phoenix client; a node SIGKILLed; a fourth
 * node started afterwards. Prints the measured figures.
 */
class MainJobIT {

    static final String TOPIC = "video:42";
    static final String SECRET = "main-job-it-secret-0123456789";
    static final Duration CONVERGE = Duration.ofSeconds(10);

    final Path work = ItEnvironment.workDir("main-job");
    final Cleanup cleanup = new Cleanup();

    @AfterEach
    void cleanUp() {
        cleanup.closeAll();
    }

    @Test
    void realClientsOnTwoNodesCountTheSameThroughKillsAndScaleOut() throws Exception {
        LocalClusterScript cluster = LocalClusterScript.start(3, work.resolve("cluster"), Map.of("HEADCOUNT_SECRET", SECRET));
        cleanup.add(cluster);
        NodeProcess n1 = cluster.node(1);
        NodeProcess n2 = cluster.node(2);
        PhoenixDriver clients = new PhoenixDriver(work);
        cleanup.add(clients);

        // 2 anonymous + 1 logged-in socket on node 1; 1 anonymous + 2 logged-in on node 2.
        clients.open("n1-anon-1", n1.socketUrl(), null);
        clients.open("n1-anon-2", n1.socketUrl(), "undefined"); // what a front end without a token sends
        clients.open("n1-user-1", n1.socketUrl(), token("user-1"));
        clients.open("n2-anon-1", n2.socketUrl(), null);
        clients.open("n2-user-2", n2.socketUrl(), token("user-2"));
        clients.open("n2-user-3", n2.socketUrl(), token("user-3"));
        List<String> node1 = List.of("n1-anon-1", "n1-anon-2", "n1-user-1");
        List<String> node2 = List.of("n2-anon-1", "n2-user-2", "n2-user-3");
        List<String> all = new ArrayList<>(node1);
        all.addAll(node2);
        for (String id : all) {
            clients.join(id, TOPIC);
        }
        for (String id : all) {
            clients.awaitCounts(id, TOPIC, 3, 3, CONVERGE);
        }

        // One more socket through the load balancer sees the same counts (itself included), then goes.
        clients.open("lb-anon", cluster.loadBalancerSocketUrl(), null);
        clients.join("lb-anon", TOPIC);
        for (String id : List.of("lb-anon", "n1-anon-1", "n2-user-3")) {
            clients.awaitCounts(id, TOPIC, 4, 3, CONVERGE);
        }
        clients.close("lb-anon");
        for (String id : all) {
            clients.awaitCounts(id, TOPIC, 3, 3, CONVERGE);
        }

        // Join on node 2 -> count at node 1's sockets, measured 10 times with a probe socket.
        List<Double> joinLatencies = new ArrayList<>();
        clients.open("probe", n2.socketUrl(), null);
        clients.awaitEvent(e -> e.ev().equals("open") && "probe".equals(e.id()), CONVERGE, "probe open");
        for (int i = 0; i < 10; i++) {
            double sent = System.currentTimeMillis();
            clients.join("probe", TOPIC);
            Event seen = clients.awaitCounts("n1-anon-1", TOPIC, 4, 3, CONVERGE);
            joinLatencies.add(seen.t() - sent);
            clients.leave("probe", TOPIC);
            clients.awaitCounts("n1-anon-1", TOPIC, 3, 3, CONVERGE);
        }
        clients.close("probe");
        for (String id : all) {
            clients.awaitCounts(id, TOPIC, 3, 3, CONVERGE);
        }

        assertEquals(List.of("n1", "n2", "n3"), Http.members(n1.url()).stream().sorted().toList());
        assertEquals(Map.of("n1", "self", "n2", "up", "n3", "up"), Http.replicaStates(n1.url()), "node 1's view of its peers");

        // SIGKILL node 2: node 1's sockets must drop to viewers=2, users=1 within 5 s and stay there.
        int eventsBeforeKill = clients.events().size();
        double killedAt = System.currentTimeMillis();
        n2.kill();
        List<Double> killLatencies = new ArrayList<>();
        for (String id : node1) {
            Event corrected = clients.awaitCounts(id, TOPIC, 2, 1, Duration.ofSeconds(5));
            killLatencies.add(corrected.t() - killedAt);
        }
        node2.forEach(clients::close); // they would only retry the dead node
        long listedAt = System.currentTimeMillis() + 5000;
        while (!Http.replicaStates(n1.url()).equals(Map.of("n1", "self", "n2", "down", "n3", "up"))
                && System.currentTimeMillis() < listedAt) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertEquals(Map.of("n1", "self", "n2", "down", "n3", "up"), Http.replicaStates(n1.url()), "/api/cluster after the kill");
        assertEquals(List.of("n1", "n3"), Http.members(n1.url()).stream().sorted().toList());

        // Scale out: a 4th node answers the same counts on its HTTP API within 5 s of being started.
        int http4 = ItEnvironment.freePorts(1, 0);
        int cluster4 = ItEnvironment.freePorts(1, 100);
        long startedAt = System.currentTimeMillis();
        NodeProcess n4 = NodeProcess.start("n4", http4, cluster4, cluster.clusterHosts(cluster4), work,
                "--secret", SECRET);
        cleanup.add(n4);
        long deadline = startedAt + 5000;
        long[] counts4 = null;
        while (System.currentTimeMillis() < deadline) {
            counts4 = Http.topicCounts(n4.url(), TOPIC);
            if (counts4 != null && counts4[0] == 2 && counts4[1] == 1) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        long scaleOutMillis = System.currentTimeMillis() - startedAt;
        assertArrayEquals(new long[] {2, 1}, counts4, "node 4's counts within 5 s of its start");
        assertArrayEquals(new long[] {2, 1}, Http.topicCounts(n1.url(), TOPIC));

        // Counts never went negative, and after the kill never came back up.
        for (String id : all) {
            for (Event e : clients.counts(id, TOPIC)) {
                assertTrue(e.viewers() >= 0 && e.users() >= 0, id + " went negative: " + e);
            }
        }
        for (String id : node1) {
            List<Event> after = clients.events().subList(eventsBeforeKill, clients.events().size()).stream()
                    .filter(e -> e.isCounts(id, TOPIC)).toList();
            Event last = after.get(after.size() - 1);
            assertEquals(List.of(2L, 1L), List.of(last.viewers(), last.users()), id + " ends at 2/1");
            boolean reachedFloor = false;
            for (Event e : after) {
                reachedFloor |= e.viewers() == 2 && e.users() == 1;
                if (reachedFloor) {
                    assertTrue(e.viewers() == 2 && e.users() == 1, id + " came back up after the kill: " + e);
                }
            }
        }

        Collections.sort(joinLatencies);
        Collections.sort(killLatencies);
        System.out.printf("FIGURE join on node 2 -> count at node 1's sockets (10 runs, push window 50 ms): "
                + "min %.1f ms, median %.1f ms, max %.1f ms%n", joinLatencies.get(0), joinLatencies.get(5),
                joinLatencies.get(9));
        System.out.printf("FIGURE SIGKILL of node 2 -> corrected counts at node 1's 3 sockets: %.0f / %.0f / %.0f ms%n",
                killLatencies.get(0), killLatencies.get(1), killLatencies.get(2));
        System.out.printf("FIGURE node 4 start -> same counts on its /api/topics: %d ms%n", scaleOutMillis);
    }

    private String token(String user) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                ItEnvironment.nodeJar().toString(), "token", "--user", user, "--secret", SECRET).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "token command failed");
        return out;
    }
}
