package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.node.TestNode;
import io.headcount.node.auth.TokenService;
import io.headcount.tracker.testing.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Many sockets joining, leaving, rejoining and vanishing on the three nodes of a real cluster, while
 * observers on every node reduce what they are sent as the front end does. At quiescence every
 * observer's counts equal the truth, and no socket ever saw a negative count. A failure names its seed.
 */
class ExactCountsTest {

    static final List<String> TOPICS = List.of("video:r1", "video:r2");

    /** One test socket and what it has joined. */
    record Socket(WsClient client, String user, Set<String> topics) {
    }

    @ParameterizedTest(name = "seed {0}: push {1}, window {2}, users {3}")
    @CsvSource({"11, diff, 20ms, connections", "12, state, 0ms, distinct"})
    void everyObserverEndsOnTheTruth(long seed, String pushMode, String window, String users) throws Exception {
        String cluster = "exact-" + System.nanoTime();
        List<TestNode> nodes = new ArrayList<>();
        List<WsClient> everyone = new ArrayList<>();
        String[] options = {"--push-mode", pushMode, "--push-window", window, "--users", users};
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(TestNode.start("exact-n" + i, cluster, nodes.stream().map(TestNode::seed).toList(), options));
            }
            Await.until(Duration.ofSeconds(20), () -> nodes.stream()
                    .allMatch(n -> n.node.tracker().status().members().size() == 3), () -> "three members");
            java.util.Map<String, List<WsClient>> observers = new java.util.HashMap<>();
            for (TestNode n : nodes) {
                for (String topic : TOPICS) {
                    WsClient o = new WsClient(n.socketUrl("vsn=2.0.0"));
                    o.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
                    observers.computeIfAbsent(topic, t -> new ArrayList<>()).add(o);
                    everyone.add(o);
                }
            }
            TokenService tokens = new TokenService(List.of(TestNode.SECRET));
            Random random = new Random(seed);
            List<Socket> live = new ArrayList<>();
            int ref = 10;
            for (int step = 0; step < 300; step++) {
                int action = random.nextInt(10);
                if (live.isEmpty() || (action <= 2 && live.size() < 30)) {
                    String user = random.nextInt(3) == 0 ? "u" + random.nextInt(4) : null;
                    String query = (user == null ? "" : "token=" + tokens.mint(user, Duration.ofHours(1), Instant.now())
                            + "&") + "vsn=2.0.0";
                    WsClient c = new WsClient(nodes.get(random.nextInt(3)).socketUrl(query));
                    everyone.add(c);
                    live.add(new Socket(c, user, new HashSet<>()));
                    continue;
                }
                Socket s = live.get(random.nextInt(live.size()));
                String topic = TOPICS.get(random.nextInt(TOPICS.size()));
                ref++;
                if (action <= 5 || action == 9) { // join, or join again (replaces the join, counts once)
                    s.client().send("[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{}]");
                    s.topics().add(topic);
                } else if (action <= 7) {
                    s.client().send("[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_leave\",{}]");
                    s.topics().remove(topic);
                } else {
                    s.client().close(); // vanishes without a close frame
                    live.remove(s);
                }
            }
            for (String topic : TOPICS) {
                long viewers = 3 + live.stream().filter(s -> s.user() == null && s.topics().contains(topic)).count();
                List<String> joinedUsers = live.stream().filter(s -> s.user() != null && s.topics().contains(topic))
                        .map(Socket::user).toList();
                long userCount = users.equals("distinct") ? new HashSet<>(joinedUsers).size() : joinedUsers.size();
                for (WsClient o : observers.get(topic)) {
                    try {
                        o.awaitCounts(topic, viewers, userCount);
                    } catch (AssertionError e) {
                        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
                    }
                }
            }
            for (WsClient c : everyone) {
                assertNull(c.negative(), "seed " + seed + ": a count went negative");
            }
            assertTrue(live.size() > 5, "the schedule kept sockets alive: " + live.size());
        } finally {
            everyone.forEach(WsClient::close);
            nodes.forEach(TestNode::close);
        }
    }
}
