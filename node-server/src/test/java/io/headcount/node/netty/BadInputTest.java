package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.headcount.node.TestNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bad inputs X1-X8 of public-cases.md against a real node. In each, the bad socket gets an
 * error reply or a close code, and a bystander on the same topic keeps exact counts and a working
 * socket.
 */
class BadInputTest {

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start("bad-input", "--push-window", "50ms", "--topics", "video:*", "--join-rate", "20",
                "--max-topics-per-socket", "100", "--max-frame-size", "65536");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static WsClient open() throws Exception {
        return new WsClient(node.socketUrl("vsn=2.0.0"));
    }

    /** A socket joined to {@code topic}, its state received. */
    static WsClient joined(String topic) throws Exception {
        WsClient c = open();
        c.send(join("1", topic));
        c.next("presence_state");
        return c;
    }

    static String join(String ref, String topic) {
        return "[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{}]";
    }

    /** The bystander still gets heartbeat replies and ends with these counts. */
    static void assertUnhurt(WsClient bystander, String topic, long viewers) throws Exception {
        bystander.send("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]");
        assertEquals("ok", bystander.next("phx_reply").at("/4/status").asText());
        bystander.awaitCounts(topic, viewers, 0);
        assertTrue(node.get("/api/topics/" + topic).body().contains("\"viewers\":{\"count\":" + viewers + "}"));
    }

    static JsonNode reply(WsClient c) throws Exception {
        return c.next("phx_reply");
    }

    @Test
    void x1MalformedJsonClosesWith1007AndTheSocketsJoinsAreGoneAtOnce() throws Exception {
        String topic = "video:x1";
        try (WsClient bystander = joined(topic); WsClient truncated = joined(topic); WsClient hello = joined(topic)) {
            bystander.awaitCounts(topic, 3, 0);
            truncated.send("[\"1\",\"1\",\"video:42\",\"phx_join\",");
            assertEquals(1007, truncated.awaitClose());
            hello.send("hello");
            assertEquals(1007, hello.awaitClose());
            assertUnhurt(bystander, topic, 1);
        }
    }

    @Test
    void x2WrongShapesGetAnErrorReplyWhenTheyCanBeAnsweredAndCreateNoPresence() throws Exception {
        String topic = "video:x2";
        try (WsClient bystander = joined(topic); WsClient bad = open()) {
            bad.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\"]");
            JsonNode r = reply(bad);
            assertEquals("1", r.get(1).asText());
            assertEquals("malformed message", r.at("/4/response/reason").asText());
            bad.send("[\"1\",\"2\",\"" + topic + "\",\"phx_join\",{},\"extra\"]");
            assertEquals("malformed message", reply(bad).at("/4/response/reason").asText());
            bad.send("[\"1\",\"3\",\"" + topic + "\",\"phx_join\",\"not an object\"]");
            assertEquals("malformed message", reply(bad).at("/4/response/reason").asText());
            assertUnhurt(bystander, topic, 1);
            for (String unanswerable : List.of(
                    "{\"topic\":\"" + topic + "\",\"event\":\"phx_join\",\"payload\":{},\"ref\":\"1\"}",
                    "[\"1\",1,\"" + topic + "\",\"phx_join\",{}]",
                    "[\"1\",\"1\",null,\"phx_join\",{}]")) {
                try (WsClient c = open()) {
                    c.send(unanswerable);
                    assertEquals(1007, c.awaitClose(), unanswerable);
                }
            }
            assertUnhurt(bystander, topic, 1);
        }
    }

    @Test
    void x3OversizedMessagesAreRefusedWith1009BeforeTheyAreBuffered() throws Exception {
        String topic = "video:x3";
        try (WsClient bystander = joined(topic)) {
            // one 10 MiB frame: refused on its header, long before the payload could arrive
            try (RawSocket huge = new RawSocket(node.httpPort, "vsn=2.0.0", 0)) {
                huge.header(true, RawSocket.TEXT, 10L * 1024 * 1024);
                writeQuietly(huge, new byte[4 + 32 * 1024]);
                assertEquals(1009, huge.awaitClose());
            }
            // the same size in 1 KiB fragments: held to the same limit as they arrive
            try (RawSocket fragments = new RawSocket(node.httpPort, "vsn=2.0.0", 0)) {
                byte[] kib = "a".repeat(1024).getBytes(StandardCharsets.US_ASCII);
                int sent = 0;
                try {
                    fragments.send(false, RawSocket.TEXT, kib);
                    for (sent = 1; sent < 10 * 1024; sent++) {
                        fragments.send(false, RawSocket.CONTINUATION, kib);
                    }
                } catch (IOException closedUnderUs) {
                    // the server closed while we were still sending: what we want
                }
                assertEquals(1009, fragments.awaitClose(), "after " + sent + " fragments");
            }
            // a header claiming 2^62 bytes is over the limit; 2^63 is not even a valid length (RFC 6455 5.2)
            try (RawSocket lying = new RawSocket(node.httpPort, "vsn=2.0.0", 0)) {
                lying.header(true, RawSocket.TEXT, 1L << 62);
                writeQuietly(lying, new byte[200]);
                assertEquals(1009, lying.awaitClose());
            }
            try (RawSocket negative = new RawSocket(node.httpPort, "vsn=2.0.0", 0)) {
                negative.header(true, RawSocket.TEXT, Long.MIN_VALUE);
                writeQuietly(negative, new byte[200]);
                assertEquals(1002, negative.awaitClose());
            }
            assertUnhurt(bystander, topic, 1);
        }
    }

    @Test
    void x4UnknownEventsAndTopicsGetErrorRepliesAndTheSocketStays() throws Exception {
        String topic = "video:x4";
        try (WsClient bystander = joined(topic); WsClient c = joined(topic)) {
            c.send("[\"1\",\"5\",\"" + topic + "\",\"explode\",{}]");
            assertEquals("unknown event", reply(c).at("/4/response/reason").asText());
            c.send("[null,\"6\",\"video:99\",\"ping\",{}]");
            JsonNode r = reply(c);
            assertEquals("unmatched topic", r.at("/4/response/reason").asText());
            assertTrue(r.get(0).isNull());
            assertEquals("0", node.get("/api/topics/video:99").body().replaceAll(".*\"viewers\":\\{\"count\":(\\d+).*", "$1"),
                    "no implicit join");
            assertEquals(404, node.get("/api/topics/live:1").statusCode(), "outside --topics, as a join would be told");
            assertUnhurt(c, topic, 2);
            assertUnhurt(bystander, topic, 2);
        }
    }

    @Test
    void x5BadTopicNamesAreRefusedBeforeAnythingIsCreatedForThem() throws Exception {
        String topic = "video:x5";
        try (WsClient bystander = joined(topic); WsClient c = open()) {
            String absurd = "video:" + "a".repeat(60_000);
            c.send(join("1", absurd));
            JsonNode r = reply(c);
            assertEquals("invalid topic", r.at("/4/response/reason").asText());
            assertEquals(absurd, r.get(2).asText(), "the reply carries the topic as sent, so the client can match it");
            for (String name : List.of("", "video:", "video:\\u0001", "video:a\\u0000b", "video:../../admin", "video:a b",
                    "video:\\u00e9")) {
                c.send(join("2", name));
                assertEquals("invalid topic", reply(c).at("/4/response/reason").asText(), name);
            }
            c.send(join("3", "admin:1"));
            assertEquals("unmatched topic", reply(c).at("/4/response/reason").asText());
            c.send("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]");
            assertEquals("ok", c.next("phx_reply").at("/4/status").asText(), "the socket stays");
            assertUnhurt(bystander, topic, 1);
            String metrics = node.get("/metrics").body();
            assertFalse(metrics.contains("admin") || metrics.contains("aaaaaaaa") || metrics.contains("../"),
                    "no metric names or labels made from refused topics");
            assertEquals(0, node.node.tracker().counts("admin:1").viewers());
        }
        try (WsClient bystander = joined(topic); RawSocket raw = new RawSocket(node.httpPort, "vsn=2.0.0", 0)) {
            raw.send(true, RawSocket.TEXT, new byte[] {'[', '"', (byte) 0xc3, (byte) 0x28, '"', ']'});
            assertEquals(1007, raw.awaitClose(), "invalid UTF-8 in a text frame");
            assertUnhurt(bystander, topic, 1);
        }
    }

    @Test
    void x7BinaryFramesCloseWith1003AndAreNeverReadAsJson() throws Exception {
        String topic = "video:x7";
        try (WsClient bystander = joined(topic)) {
            for (byte[] bytes : List.of(join("1", topic).getBytes(StandardCharsets.UTF_8), new byte[] {0, 1, 2, (byte) 0xff})) {
                try (WsClient c = open()) {
                    c.sendBinary(bytes);
                    assertEquals(1003, c.awaitClose());
                }
            }
            assertUnhurt(bystander, topic, 1);
        }
    }

    @Test
    void x8AJoinFloodIsRefusedPastTheLimitsThenClosedWith1008AndLeavesNothingBehind() throws Exception {
        String topic = "video:x8";
        try (WsClient bystander = joined(topic); WsClient flood = open()) {
            try {
                for (int i = 0; i < 10_000; i++) {
                    flood.send(join("" + i, "video:flood-" + i));
                }
            } catch (RuntimeException closedUnderUs) {
                // closed before all were sent
            }
            assertEquals(1008, flood.awaitClose());
            List<String> reasons = new ArrayList<>();
            JsonNode f;
            int accepted = 0;
            while ((f = flood.poll(Duration.ZERO)) != null) {
                if (f.get(3).asText().equals("phx_reply")) {
                    if (f.at("/4/status").asText().equals("ok")) {
                        accepted++;
                    } else {
                        reasons.add(f.at("/4/response/reason").asText());
                    }
                }
            }
            assertTrue(accepted <= 100, accepted + " joins accepted, over the topic cap");
            assertTrue(reasons.contains("too many topics") || reasons.contains("too many joins, slow down"), "" + reasons);
            assertTrue(reasons.size() <= PhoenixSocketHandler.STRIKES + 5, reasons.size() + " refusals before the close");
            io.headcount.tracker.testing.Await.until(Duration.ofSeconds(5),
                    () -> node.node.tracker().counts("video:flood-0").viewers() == 0, () -> "the flood's joins are gone");
            assertUnhurt(bystander, topic, 1);
        }
    }

    @Test
    void x8JoinLeaveFlappingIsCountedRightAndReachesOthersAsFewDiffs() throws Exception {
        String topic = "video:x8-flap";
        try (WsClient bystander = joined(topic); WsClient flapper = open()) {
            long before = bystander.framesSeen();
            try {
                for (int i = 0; i < 1000; i++) {
                    flapper.send(join("" + i, topic));
                    flapper.send("[\"" + i + "\",\"l" + i + "\",\"" + topic + "\",\"phx_leave\",{}]");
                }
            } catch (RuntimeException closedUnderUs) {
                // refused too often: closed
            }
            assertEquals(1008, flapper.awaitClose(), "persistent abuse is closed");
            assertUnhurt(bystander, topic, 1);
            long diffs = bystander.framesSeen() - before - 1; // minus the heartbeat reply
            assertTrue(diffs <= 20, diffs + " frames reached the bystander for the flapping");
        }
    }

    private static void writeQuietly(RawSocket s, byte[] bytes) {
        try {
            s.write(bytes);
        } catch (IOException closedUnderUs) {
            // the server may close before reading it all
        }
    }
}
