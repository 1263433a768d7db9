package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.headcount.node.TestNode;
import io.headcount.node.auth.TokenService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cases B14 and X6: nothing identifying reaches a client, and identity cannot be claimed or forged. */
class TokensAndPrivacyTest {

    static final TokenService TOKENS = new TokenService(List.of(TestNode.SECRET));

    static String token(String user) {
        return TOKENS.mint(user, Duration.ofHours(1), Instant.now());
    }

    /** Forged or unusable tokens, each claiming user u1 or u3. */
    static List<String> badTokens() {
        String good = token("u1");
        char last = good.charAt(good.length() - 2);
        String flipped = good.substring(0, good.length() - 2) + (last == 'A' ? 'B' : 'A') + good.charAt(good.length() - 1);
        String expired = TOKENS.mint("u3", Duration.ofSeconds(1), Instant.now().minus(Duration.ofHours(1)));
        String foreign = new TokenService(List.of("another-key-entirely-0123456789")).mint("u1", Duration.ofHours(1),
                Instant.now());
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String algNone = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString("{\"sub\":\"u1\"}".getBytes(StandardCharsets.UTF_8)) + ".";
        return List.of(flipped, expired, foreign, algNone);
    }

    static WsClient join(TestNode node, String query, String topic, String payload) throws Exception {
        WsClient c = new WsClient(node.socketUrl(query + "&vsn=2.0.0"));
        c.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\"," + payload + "]");
        c.next("presence_state");
        return c;
    }

    @Test
    void clientsSeeOnlyCountsAndNoTokenOrClaimMakesAUser() throws Exception {
        String topic = "video:42";
        List<WsClient> sockets = new ArrayList<>();
        try (TestNode node = TestNode.start("privacy-node-n1", "--push-window", "0ms")) {
            WsClient anonymous = join(node, "token=", topic, "{}");
            sockets.add(anonymous);
            sockets.add(join(node, "token=" + token("u1"), topic, "{}"));
            sockets.add(join(node, "token=" + token("u2"), topic, "{\"name\":\"Alice\"}"));
            sockets.add(join(node, "token=", topic, "{\"user_id\":\"u1\"}"));
            for (String bad : badTokens()) {
                sockets.add(join(node, "token=" + bad, topic, "{}"));
            }
            anonymous.awaitCounts(topic, 6, 2);
            assertTrue(node.get("/api/topics/" + topic).body().contains("\"users\":{\"count\":2}"));

            // counted_as tells a socket only how it is counted itself ("viewer" or "user")
            Set<String> allowedKeys = Set.of("viewers", "users", "count", "joins", "leaves", "status", "response", "reason",
                    "counted_as");
            JsonNode f;
            int frames = 0;
            while ((f = anonymous.poll(Duration.ZERO)) != null) {
                frames++;
                String text = f.toString();
                for (String secret : List.of("u1", "u2", "u3", "Alice", "privacy-node", "hc1.", "127.0.0.1")) {
                    assertFalse(text.contains(secret), secret + " leaked in " + text);
                }
                assertTrue(keys(f.get(4)).stream().allMatch(allowedKeys::contains), "unexpected field in " + text);
            }
            assertTrue(frames >= 7, frames + " frames checked");
        } finally {
            sockets.forEach(WsClient::close);
        }
    }

    @Test
    void withRefusalOnEveryBadTokenGetsTheSameAnswer() throws Exception {
        try (TestNode node = TestNode.start("refusing", "--refuse-invalid-tokens")) {
            Set<String> answers = new java.util.HashSet<>();
            for (String bad : badTokens()) {
                var r = node.get("/socket/websocket?vsn=2.0.0&token=" + bad);
                assertEquals(403, r.statusCode());
                answers.add(r.body());
            }
            assertEquals(1, answers.size(), "one answer whatever the cause: " + answers);
            try (WsClient ok = join(node, "token=" + token("u1"), "video:1", "{}")) {
                ok.awaitCounts("video:1", 0, 1);
            }
            try (WsClient none = join(node, "token=undefined", "video:1", "{}")) {
                none.awaitCounts("video:1", 1, 0); // no token at all is still an anonymous viewer
            }
        }
    }

    @Test
    void oneValidTokenReplayedOnManySocketsIsOneUserInDistinctMode() throws Exception {
        String topic = "video:replay";
        String t = token("u7");
        List<WsClient> sockets = new ArrayList<>();
        try (TestNode node = TestNode.start("replay", "--push-window", "10ms", "--users", "distinct")) {
            WsClient observer = join(node, "token=", topic, "{}");
            sockets.add(observer);
            for (int i = 0; i < 100; i++) {
                sockets.add(join(node, "token=" + t, topic, "{}"));
            }
            observer.awaitCounts(topic, 1, 1);
        } finally {
            sockets.forEach(WsClient::close);
        }
    }

    private static List<String> keys(JsonNode node) {
        List<String> keys = new ArrayList<>();
        if (node.isObject()) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                keys.add(k);
                keys.addAll(keys(node.get(k)));
            }
        }
        return keys;
    }
}
