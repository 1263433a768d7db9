package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.headcount.node.TestNode;
import io.headcount.node.auth.TokenService;
import io.headcount.node.config.NodeSettings;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.testing.TestPorts;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real node on loopback, spoken to in raw Phoenix v2 frames over a real WebSocket. */
class NodeProtocolTest {

    static final String SECRET = TestNode.SECRET;
    static TestNode node;
    static int port;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start("protocol-test", "--push-window", "0ms");
        port = node.httpPort;
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static String socketUrl(String query) {
        return "ws://127.0.0.1:" + port + "/socket/websocket?" + query;
    }

    static String token(String user) {
        return new TokenService(List.of(SECRET)).mint(user, Duration.ofHours(1), Instant.now());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static void assertCounts(JsonNode payload, long viewers, long users) {
        assertEquals(viewers, payload.at("/viewers/count").asLong(), payload.toString());
        assertEquals(users, payload.at("/users/count").asLong(), payload.toString());
    }

    @Test
    void heartbeatsAreAnsweredWithTheirRef() throws Exception {
        try (WsClient c = new WsClient(socketUrl("vsn=2.0.0"))) {
            c.send("[null,\"14\",\"phoenix\",\"heartbeat\",{}]");
            assertEquals("[null,\"14\",\"phoenix\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]", c.next().toString());
        }
    }

    @Test
    void aJoinIsAnsweredThenGivenTheStateThenTheDiffsWithAllFourCounts() throws Exception {
        String topic = "video:join-flow";
        try (WsClient viewer = new WsClient(socketUrl("token=undefined&vsn=2.0.0"));
                WsClient user = new WsClient(socketUrl("token=" + token("alice") + "&vsn=2.0.0"))) {
            viewer.send("[\"7\",\"7\",\"" + topic + "\",\"phx_join\",{}]");
            assertEquals("[\"7\",\"7\",\"" + topic + "\",\"phx_reply\",{\"status\":\"ok\",\"response\":{\"counted_as\":\"viewer\"}}]",
                    viewer.next().toString());
            assertEquals("[\"7\",null,\"" + topic
                    + "\",\"presence_state\",{\"viewers\":{\"count\":0},\"users\":{\"count\":0}}]", viewer.next().toString());
            assertEquals("[null,null,\"" + topic + "\",\"presence_diff\",{\"joins\":{\"viewers\":{\"count\":1},"
                    + "\"users\":{\"count\":0}},\"leaves\":{\"viewers\":{\"count\":0},\"users\":{\"count\":0}}}]",
                    viewer.next().toString());

            user.send("[\"3\",\"3\",\"" + topic + "\",\"phx_join\",{}]");
            assertEquals("user", user.next("phx_reply").at("/4/response/counted_as").asText());
            assertCounts(user.next("presence_state").get(4), 1, 0);
            JsonNode diff = viewer.next("presence_diff").get(4);
            assertCounts(diff.get("joins"), 0, 1);
            assertCounts(diff.get("leaves"), 0, 0);
            assertEquals(diff, user.next("presence_diff").get(4), "the joiner learns of itself from the diff");

            user.send("[\"3\",\"4\",\"" + topic + "\",\"phx_leave\",{}]");
            assertEquals("[\"3\",\"4\",\"" + topic + "\",\"phx_reply\",{\"status\":\"ok\",\"response\":{}}]",
                    user.next().toString());
            assertEquals("[\"3\",\"3\",\"" + topic + "\",\"phx_close\",{}]", user.next().toString());
            assertCounts(viewer.next("presence_diff").get(4).get("leaves"), 0, 1);
        }
    }

    @Test
    void joiningATopicTwiceClosesTheFirstJoinAndCountsTheSocketOnce() throws Exception {
        String topic = "video:rejoin";
        try (WsClient c = new WsClient(socketUrl("vsn=2.0.0"))) {
            c.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
            c.next("presence_diff");
            c.send("[\"2\",\"2\",\"" + topic + "\",\"phx_join\",{}]");
            assertEquals("[\"1\",\"1\",\"" + topic + "\",\"phx_close\",{}]", c.next().toString());
            assertEquals("ok", c.next().get(4).get("status").asText());
            JsonNode state = c.next();
            assertEquals("2", state.get(0).asText(), "the new state carries the new join_ref");
            assertCounts(state.get(4), 1, 0);
            assertNull(c.poll(Duration.ofMillis(200)), "no diff: nothing changed");
            assertTrue(get("/api/topics/" + topic).body().contains("\"viewers\":{\"count\":1}"));
        }
    }

    @Test
    void eventsTheServerDoesNotKnowGetAnErrorReplyAndTheSocketStays() throws Exception {
        try (WsClient c = new WsClient(socketUrl("vsn=2.0.0"))) {
            c.send("[\"1\",\"1\",\"video:errors\",\"phx_join\",{}]");
            c.next("presence_diff");
            c.send("[\"1\",\"5\",\"video:errors\",\"explode\",{}]");
            assertEquals("[\"1\",\"5\",\"video:errors\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"unknown event\"}}]",
                    c.next().toString());
            c.send("[null,\"6\",\"video:99\",\"ping\",{}]");
            assertEquals("[null,\"6\",\"video:99\",\"phx_reply\",{\"status\":\"error\",\"response\":{\"reason\":\"unmatched topic\"}}]",
                    c.next().toString());
            c.send("[\"8\",\"8\",\"video:../../admin\",\"phx_join\",{}]");
            assertEquals("invalid topic", c.next().get(4).at("/response/reason").asText());
            c.send("[\"1\",\"9\",\"video:errors\",\"phx_join\"]");
            assertEquals("malformed message", c.next().get(4).at("/response/reason").asText());
            c.send("[null,\"10\",\"phoenix\",\"heartbeat\",{}]");
            assertEquals("ok", c.next().get(4).get("status").asText(), "still connected");
        }
    }

    @Test
    void unparseableTextClosesWith1007AndLeavesTheTopics() throws Exception {
        String topic = "video:garbage";
        try (WsClient watcher = new WsClient(socketUrl("vsn=2.0.0")); WsClient c = new WsClient(socketUrl("vsn=2.0.0"))) {
            watcher.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
            watcher.next("presence_diff");
            c.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
            c.next("presence_diff");
            watcher.next("presence_diff");
            c.send("[\"1\",\"1\",\"video:42\",\"phx_join\",");
            assertEquals(1007, c.awaitClose());
            assertCounts(watcher.next("presence_diff").get(4).get("leaves"), 1, 0);
        }
    }

    @Test
    void binaryFramesCloseWith1003() throws Exception {
        try (WsClient c = new WsClient(socketUrl("vsn=2.0.0"))) {
            c.sendBinary("[null,\"1\",\"phoenix\",\"heartbeat\",{}]".getBytes(StandardCharsets.UTF_8));
            assertEquals(1003, c.awaitClose());
        }
    }

    @Test
    void otherProtocolVersionsAreRefusedWith403() throws Exception {
        assertEquals(403, get("/socket/websocket?vsn=1.0.0").statusCode());
        assertEquals(403, get("/socket/websocket").statusCode());
        ExecutionException e = assertThrows(ExecutionException.class, () -> new WsClient(socketUrl("vsn=1.0.0")).close());
        assertTrue(String.valueOf(e.getCause().getCause()).contains("403"), String.valueOf(e.getCause().getCause()));
    }

    @Test
    void theAuthTokenSubprotocolIsAcceptedAndPhoenixIsSelected() throws Exception {
        String encoded = Base64.getEncoder().encodeToString(token("bob").getBytes(StandardCharsets.UTF_8)).replace("=", "");
        try (WsClient c = new WsClient(socketUrl("vsn=2.0.0"), "phoenix", "base64url.bearer.phx." + encoded)) {
            assertEquals("phoenix", c.socket.getSubprotocol());
            c.send("[\"1\",\"1\",\"video:bearer\",\"phx_join\",{}]");
            assertCounts(c.next("presence_diff").get(4).get("joins"), 0, 1);
        }
    }

    @Test
    void anInvalidTokenCountsAsAViewer() throws Exception {
        String valid = token("mallory");
        String forged = valid.substring(0, valid.length() - 2) + (valid.endsWith("AA") ? "BB" : "AA");
        try (WsClient c = new WsClient(socketUrl("token=" + forged + "&vsn=2.0.0"))) {
            c.send("[\"1\",\"1\",\"video:forged\",\"phx_join\",{}]");
            assertCounts(c.next("presence_diff").get(4).get("joins"), 1, 0);
        }
    }

    @Test
    void theHttpApiAnswers() throws Exception {
        assertEquals(200, get("/healthz").statusCode());
        assertEquals(200, get("/readyz").statusCode());
        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("headcount_sockets"), "Prometheus text with our meters");
        assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        try (WsClient c = new WsClient(socketUrl("token=" + token("carol") + "&vsn=2.0.0"))) {
            c.send("[\"1\",\"1\",\"video:api\",\"phx_join\",{}]");
            c.next("presence_diff");
            assertEquals("{\"topic\":\"video:api\",\"viewers\":{\"count\":0},\"users\":{\"count\":1}}",
                    get("/api/topics/video:api").body());
        }
        String scrape = get("/metrics").body();
        for (String meter : List.of("headcount_sockets", "headcount_channel_joins_total", "headcount_channel_leaves_total",
                "headcount_presence_pushes_total", "headcount_presence_drops_total",
                "headcount_traffic_bytes_total{direction=\"sent\"", "headcount_traffic_bytes_total{direction=\"received\"")) {
            assertTrue(scrape.contains(meter), meter + " in /metrics");
        }
        assertTrue(get("/api/cluster").body().contains("\"self\":\"protocol-test#"));
        assertEquals(404, get("/nope").statusCode());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }
}
