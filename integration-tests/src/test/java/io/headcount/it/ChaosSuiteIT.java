package io.headcount.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.model.HostConfig;
import io.headcount.it.PhoenixDriver.Event;
import io.headcount.node.auth.TokenService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * Chaos on containers (issue 5): nodes in Docker built from deploy/, real phoenix clients on the host.
 * Each scenario prints its time to convergence as a FIGURE line.
 */
class ChaosSuiteIT {

    static final Duration SETTLE = Duration.ofSeconds(30);

    final Path work = ItEnvironment.workDir("chaos");
    final Cleanup cleanup = new Cleanup();
    ChaosNetworks networks;
    PhoenixDriver clients;

    @BeforeAll
    static void images() throws Exception {
        ChaosNetworks.buildImages();
    }

    @AfterEach
    void cleanUp() {
        cleanup.closeAll();
    }

    List<NodeContainer> cluster(int size) throws Exception {
        networks = new ChaosNetworks();
        cleanup.add(networks);
        clients = new PhoenixDriver(work);
        cleanup.add(clients);
        List<NodeContainer> nodes = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            nodes.add(node(i));
        }
        Startables.deepStart(nodes).join();
        for (NodeContainer n : nodes) {
            awaitMembers(n, size);
        }
        return nodes;
    }

    NodeContainer node(int index) {
        NodeContainer n = new NodeContainer(networks, "n" + index, index);
        n.withLogConsumer(frame -> log(n.name, frame));
        cleanup.add(n::stop);
        return n;
    }

    void log(String name, OutputFrame frame) {
        try {
            java.nio.file.Files.writeString(work.resolve(name + ".log"), frame.getUtf8String(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            // logs are a courtesy
        }
    }

    static void awaitMembers(NodeContainer n, int size) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < deadline) {
            Http.Response r = Http.get(n.url() + "/api/cluster");
            if (r.status() == 200 && r.json().path("members").size() == size) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError(n.name + " did not see " + size + " members within " + SETTLE);
    }

    static void awaitTopic(NodeContainer n, String topic, long viewers, long users) throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long[] c = null;
        while (System.nanoTime() < deadline) {
            c = Http.topicCounts(n.url(), topic);
            if (c != null && c[0] == viewers && c[1] == users) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertArrayEquals(new long[] {viewers, users}, c, n.name + "'s /api/topics/" + topic);
    }

    static String token(String user) {
        return new TokenService(List.of(NodeContainer.SECRET)).mint(user, Duration.ofHours(1), Instant.now());
    }

    /** One anonymous and one logged-in client on each node, joined to {@code topic}. */
    List<String> twoClientsPerNode(List<NodeContainer> nodes, String topic) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (NodeContainer n : nodes) {
            clients.open(n.name + "-anon", n.socketUrl(), null);
            clients.open(n.name + "-user", n.socketUrl(), token("user-" + n.name));
            ids.add(n.name + "-anon");
            ids.add(n.name + "-user");
        }
        for (String id : ids) {
            clients.join(id, topic);
        }
        for (String id : ids) {
            clients.awaitCounts(id, topic, nodes.size(), nodes.size(), SETTLE);
        }
        return ids;
    }

    void assertNeverNegative(List<String> ids, String topic) {
        for (String id : ids) {
            for (Event e : clients.counts(id, topic)) {
                assertTrue(e.viewers() >= 0 && e.users() >= 0, id + " went negative: " + e);
            }
        }
    }

    /** Waits until every client shows the counts; the time the last of them got there, from {@code since}. */
    double slowest(List<String> ids, String topic, long viewers, long users, long since) throws Exception {
        double slowest = 0;
        for (String id : ids) {
            slowest = Math.max(slowest, clients.awaitCounts(id, topic, viewers, users, SETTLE).t() - since);
        }
        return slowest;
    }

    @Test
    void aDockerKillOfOneNodeCorrectsTheCountsOnTheSurvivorsClients() throws Exception {
        String topic = "video:kill";
        List<NodeContainer> nodes = cluster(3);
        List<String> ids = twoClientsPerNode(nodes, topic);
        long killed = System.currentTimeMillis();
        nodes.get(2).kill();
        double worst = slowest(ids.subList(0, 4), topic, 2, 2, killed);
        awaitTopic(nodes.get(0), topic, 2, 2);
        assertNeverNegative(ids.subList(0, 4), topic);
        System.out.printf("FIGURE chaos (a) docker kill of 1 of 3 nodes -> survivors' clients corrected: %.0f ms%n", worst);
    }

    @Test
    void aNetworkPartitionSettlesEachSideThenHealsToOneCount() throws Exception {
        String topic = "video:partition";
        List<NodeContainer> nodes = cluster(3);
        List<String> ids = twoClientsPerNode(nodes, topic);
        NodeContainer cut = nodes.get(2);
        long cutAt = System.currentTimeMillis();
        cut.disconnectCluster();
        double settled = Math.max(slowest(ids.subList(0, 4), topic, 2, 2, cutAt),
                slowest(ids.subList(4, 6), topic, 1, 1, cutAt));
        long healedAt = System.currentTimeMillis();
        cut.connectCluster();
        double converged = slowest(ids, topic, 3, 3, healedAt);
        for (NodeContainer n : nodes) {
            awaitTopic(n, topic, 3, 3);
        }
        assertNeverNegative(ids, topic);
        System.out.printf("FIGURE chaos (b) docker network disconnect of 1 of 3 -> each side settled: %.0f ms; "
                + "reconnected -> one count everywhere: %.0f ms%n", settled, converged);
    }

    @Test
    void aFourthContainerJoinsAndServesTheSameCounts() throws Exception {
        String topic = "video:scale";
        List<NodeContainer> nodes = cluster(3);
        List<String> ids = twoClientsPerNode(nodes, topic);
        long startedAt = System.currentTimeMillis();
        NodeContainer fourth = node(4);
        fourth.start();
        awaitTopic(fourth, topic, 3, 3);
        long sameCounts = System.currentTimeMillis() - startedAt;
        clients.open("n4-anon", fourth.socketUrl(), null);
        clients.join("n4-anon", topic);
        for (String id : List.of("n4-anon", ids.get(0), ids.get(5))) {
            clients.awaitCounts(id, topic, 4, 3, SETTLE);
        }
        for (NodeContainer n : nodes) {
            awaitMembers(n, 4);
        }
        System.out.printf("FIGURE chaos (c) 4th container started -> same counts on its /api/topics: %d ms%n", sameCounts);
    }

    @Test
    void aRollingRestartBehindTheLoadBalancerEndsExactWithNoGhosts() throws Exception {
        String topic = "video:rolling";
        List<NodeContainer> nodes = cluster(3);
        GenericContainer<?> lb = new GenericContainer<>(DockerImageName.parse(ChaosNetworks.LB_IMAGE))
                .withNetwork(networks.front())
                .withCopyFileToContainer(MountableFile.forHostPath(ItEnvironment.repoRoot().resolve("deploy/haproxy.cfg"),
                        0644), "/usr/local/etc/haproxy/haproxy.cfg")
                .withExposedPorts(4000)
                .waitingFor(Wait.forHttp("/readyz").forPort(4000).forStatusCode(200));
        cleanup.add(lb::stop);
        lb.start();
        String viaLb = "ws://localhost:" + lb.getMappedPort(4000) + "/socket";
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            String id = "lb-" + i;
            clients.open(id, viaLb, i < 6 ? null : token("user-" + i));
            clients.join(id, topic);
            ids.add(id);
        }
        for (String id : ids) {
            clients.awaitCounts(id, topic, 6, 3, SETTLE);
        }
        long start = System.currentTimeMillis();
        List<Long> perRestart = new ArrayList<>();
        for (NodeContainer n : nodes) {
            long t0 = System.currentTimeMillis();
            n.restart();
            awaitMembers(n, 3);
            for (String id : ids) {
                clients.awaitCounts(id, topic, 6, 3, SETTLE);
            }
            for (NodeContainer m : nodes) {
                awaitTopic(m, topic, 6, 3);
            }
            perRestart.add(System.currentTimeMillis() - t0);
        }
        assertNeverNegative(ids, topic);
        long reconnects = clients.events().stream().filter(e -> e.ev().equals("close")).count();
        assertTrue(reconnects >= 3, "clients were moved by the restarts: " + reconnects + " closes");
        System.out.printf("FIGURE chaos (d) rolling restart of 3 nodes behind HAProxy, 9 clients -> exact after each "
                + "restart: %s ms (total %d ms, %d client reconnects)%n", perRestart, System.currentTimeMillis() - start,
                reconnects);
    }

    @Test
    void aNodeWithAWrongBindAddressIsReportedLoudly() throws Exception {
        networks = new ChaosNetworks();
        cleanup.add(networks);
        // bound to loopback while peers are found by DNS: refused at start, saying why
        String loopback = runToExit("HEADCOUNT_BIND=127.0.0.1", "HEADCOUNT_DISCOVERY=dns:member");
        assertTrue(loopback.contains("exit 2") && loopback.contains("could never reach this node"), loopback);
        // a subnet the container has no address in
        String subnet = runToExit("HEADCOUNT_BIND=10.99.0.0/16", "HEADCOUNT_DISCOVERY=dns:member");
        assertTrue(subnet.contains("exit 2") && subnet.contains("no local address is in 10.99.0.0/16"), subnet);
        // a node that reaches no peer stays unready and takes no sockets, with the reason on /readyz
        NodeContainer alone = new NodeContainer(networks, "alone", 9);
        alone.withEnv("HEADCOUNT_MIN_MEMBERS", "2").waitingFor(Wait.forHttp("/healthz").forPort(4000));
        cleanup.add(alone::stop);
        alone.start();
        Http.Response ready = Http.get(alone.url() + "/readyz");
        assertEquals(503, ready.status());
        assertTrue(ready.json().path("reason").asText().contains("waiting for at least 2 members"), ready.json().toString());
        assertEquals(503, Http.get(alone.url() + "/socket/websocket?vsn=2.0.0").status(), "no sockets while alone");
        String log = alone.getLogs();
        assertTrue(log.contains("cluster sockets bind to 10.231.0.19 (the local address in 10.231.0.0/16)"), log);
        System.out.println("FIGURE chaos (e) wrong bind address: refused at start with exit 2 and the reason; "
                + "a node alone: /readyz 503 '" + ready.json().path("reason").asText() + "'");
    }

    /** Runs the node image with these settings until it exits; returns "exit N" and its output. */
    String runToExit(String... env) throws InterruptedException {
        DockerClient docker = DockerClientFactory.instance().client();
        CreateContainerResponse c = docker.createContainerCmd(ChaosNetworks.IMAGE).withEnv(env)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode(networks.front().getId())).exec();
        try {
            docker.startContainerCmd(c.getId()).exec();
            int code = docker.waitContainerCmd(c.getId()).start().awaitStatusCode(60, TimeUnit.SECONDS);
            StringBuilder out = new StringBuilder("exit " + code + "\n");
            docker.logContainerCmd(c.getId()).withStdOut(true).withStdErr(true).exec(
                    new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                        @Override
                        public void onNext(com.github.dockerjava.api.model.Frame f) {
                            out.append(new String(f.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                        }
                    }).awaitCompletion(10, TimeUnit.SECONDS);
            return out.toString();
        } finally {
            docker.removeContainerCmd(c.getId()).withForce(true).exec();
        }
    }
}
