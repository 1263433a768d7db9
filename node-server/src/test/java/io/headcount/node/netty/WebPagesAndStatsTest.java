package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.TestNode;
import io.headcount.node.auth.TokenService;
import io.headcount.tracker.testing.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo page, the dashboard and the endpoints that feed the dashboard, on real nodes. */
class WebPagesAndStatsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(10);

    static JsonNode json(TestNode node, String path) throws Exception {
        HttpResponse<String> r = node.get(path);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    static String token(String user) {
        return new TokenService(List.of(TestNode.SECRET)).mint(user, Duration.ofHours(1), Instant.now());
    }

    @Test
    void pagesAreServedWithAPolicyThatKeepsScriptsAndSocketsToTheNode() throws Exception {
        try (TestNode node = TestNode.start("pages-test")) {
            for (String path : List.of("/", "/dashboard")) {
                HttpResponse<String> page = node.get(path);
                assertEquals(200, page.statusCode(), path);
                assertTrue(page.headers().firstValue("content-type").orElseThrow().startsWith("text/html"), path);
                String csp = page.headers().firstValue("content-security-policy").orElseThrow();
                assertTrue(csp.contains("default-src 'self'") && csp.contains("connect-src 'self'"), csp);
                assertEquals("nosniff", page.headers().firstValue("x-content-type-options").orElseThrow());
            }
            assertTrue(node.get("/").body().contains("/assets/demo.js"));
            assertTrue(node.get("/dashboard").body().contains("/assets/dashboard.js"));
            assertEquals(200, node.get("/assets/vendor/phoenix/phoenix.mjs").statusCode());
            assertEquals(404, node.get("/assets/logback.xml").statusCode(), "only files of the web directory");
            assertEquals(404, node.get("/assets/%2e%2e/logback.xml").statusCode());
            assertEquals(404, node.get("/dashboard/").statusCode());
        }
    }

    @Test
    void statsListTheBusiestTopicsAndCountTheChangesSeen() throws Exception {
        try (TestNode node = TestNode.start("stats-test", "--push-window", "0ms");
                WsClient a = new WsClient(node.socketUrl("vsn=2.0.0"));
                WsClient b = new WsClient(node.socketUrl("token=" + token("alice") + "&vsn=2.0.0"))) {
            a.send("[\"1\",\"1\",\"video:busy\",\"phx_join\",{}]");
            a.send("[\"2\",\"2\",\"video:quiet\",\"phx_join\",{}]");
            b.send("[\"1\",\"1\",\"video:busy\",\"phx_join\",{}]");
            a.awaitCounts("video:busy", 1, 1);
            a.awaitCounts("video:quiet", 1, 0);

            JsonNode stats = json(node, "/api/stats");
            assertTrue(stats.path("self").asText().startsWith("stats-test#"));
            assertEquals(JSON.readTree("[{\"topic\":\"video:busy\",\"viewers\":1,\"users\":1},"
                    + "{\"topic\":\"video:quiet\",\"viewers\":1,\"users\":0}]"), stats.path("topics"));
            assertEquals(3, stats.at("/changes/joins").asLong());
            assertEquals(0, stats.at("/changes/leaves").asLong());
            assertTrue(stats.at("/convergence/p99Ms").isNull(), "no peer, no convergence figure: " + stats);
            // 3 joins within the last 3 whole seconds once the second they fell in is over
            Await.until(WAIT, () -> stats(node).at("/changes/joinsPerSecond").asDouble() == 1.0,
                    () -> "1.0 joins/s, was " + stats(node).path("changes"));

            a.send("[\"2\",\"3\",\"video:quiet\",\"phx_leave\",{}]");
            Await.until(WAIT, () -> stats(node).at("/changes/leaves").asLong() == 1, () -> "the leave counted");
            assertEquals(1, stats(node).path("topics").size(), "a topic nobody watches is not listed");

            Await.until(WAIT, () -> self(node).path("presences").asInt() == 2, () -> "presences as of the next tick");
            assertEquals(2, self(node).path("connections").asInt(), "two sockets are open");
        }
    }

    @Test
    void everyNodeShowsEveryNodesConnectionsAndHowFastChangesReachIt() throws Exception {
        String cluster = "dashboard-" + System.nanoTime();
        try (TestNode n1 = TestNode.start("dash-1", cluster, List.of());
                TestNode n2 = TestNode.start("dash-2", cluster, List.of(n1.seed()));
                WsClient s1 = new WsClient(n1.socketUrl("vsn=2.0.0"));
                WsClient s2 = new WsClient(n1.socketUrl("vsn=2.0.0"))) {
            Await.until(WAIT, () -> members(n2) == 2, () -> "a cluster of two");
            s1.send("[\"1\",\"1\",\"video:dash\",\"phx_join\",{}]");
            s2.send("[\"1\",\"1\",\"video:dash\",\"phx_join\",{}]");
            Await.until(WAIT, () -> stats(n2).at("/convergence/samples").asLong() >= 1, () -> "n2 merged n1's joins");
            JsonNode convergence = stats(n2).path("convergence");
            assertFalse(convergence.path("p99Ms").isNull(), convergence.toString());
            assertTrue(convergence.path("p99Ms").asDouble() < 5_000, "same host, same clock: " + convergence);

            Await.until(WAIT, () -> replica(n2, "dash-1").path("connections").asInt() == 2
                    && replica(n2, "dash-1").path("presences").asInt() == 2, () -> "n2's view of n1: " + replica(n2, "dash-1"));
            assertEquals("up", replica(n2, "dash-1").path("status").asText());
            assertEquals(0, replica(n2, "dash-2").path("connections").asInt());
        }
    }

    static JsonNode stats(TestNode node) {
        try {
            return json(node, "/api/stats");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static int members(TestNode node) {
        try {
            return json(node, "/api/cluster").path("members").size();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode self(TestNode node) {
        try {
            for (JsonNode r : json(node, "/api/cluster").path("replicas")) {
                if (r.path("status").asText().equals("self")) {
                    return r;
                }
            }
            throw new AssertionError("no self replica");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode replica(TestNode node, String name) {
        try {
            for (JsonNode r : json(node, "/api/cluster").path("replicas")) {
                if (r.path("replica").asText().startsWith(name + "#")) {
                    return r;
                }
            }
            return JSON.createObjectNode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
