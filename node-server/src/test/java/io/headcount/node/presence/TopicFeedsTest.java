package io.headcount.node.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.config.PushMode;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.Counts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The fan-out's promise: whatever the interleaving of count changes, push windows, joins and leaves,
 * each subscriber reducing its state and diffs as the front end does holds exactly the truth once
 * quiet, and never a negative count on the way.
 */
class TopicFeedsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final PhoenixFrames frames = new PhoenixFrames(JSON, ByteBufAllocator.DEFAULT);
    final List<Runnable> timers = new ArrayList<>();

    TopicFeeds feeds(Duration window) {
        return new TopicFeeds(window, PushMode.DIFF, (task, delay) -> timers.add(task), frames, new SimpleMeterRegistry());
    }

    /** One socket as the front end sees it: counts per topic reduced from its frames. */
    static final class Client {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final Map<String, Subscription> joined = new HashMap<>();
        final Map<String, long[]> counts = new HashMap<>();
        int joins;

        void drain() {
            TextWebSocketFrame f;
            while ((f = channel.readOutbound()) != null) {
                try {
                    JsonNode m = JSON.readTree(f.content().toString(StandardCharsets.UTF_8));
                    String topic = m.get(2).asText();
                    JsonNode p = m.get(4);
                    if (m.get(3).asText().equals("presence_state")) {
                        counts.put(topic, new long[] {p.at("/viewers/count").asLong(), p.at("/users/count").asLong()});
                    } else {
                        long[] c = counts.get(topic);
                        c[0] += p.at("/joins/viewers/count").asLong() - p.at("/leaves/viewers/count").asLong();
                        c[1] += p.at("/joins/users/count").asLong() - p.at("/leaves/users/count").asLong();
                        assertTrue(c[0] >= 0 && c[1] >= 0, "a client count went negative on " + topic);
                    }
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                } finally {
                    f.release();
                }
            }
        }
    }

    @Test
    void aJoinerGetsThePublishedStateThenEveryDiff() {
        TopicFeeds feeds = feeds(Duration.ofMillis(50));
        feeds.onCountChanges(List.of(change("video:42", 2, 1, 0, 0)));
        timers.remove(0).run();
        Client c = new Client();
        feeds.subscribe("video:42", "3", c.channel);
        feeds.onCountChanges(List.of(change("video:42", 1, 0, 0, 0)));
        feeds.onCountChanges(List.of(change("video:42", 0, 0, 2, 0)));
        assertEquals(1, timers.size(), "one push window for both changes");
        timers.remove(0).run();
        c.drain();
        assertEquals(List.of(1L, 1L), List.of(c.counts.get("video:42")[0], c.counts.get("video:42")[1]));
    }

    @Test
    void aSocketJoiningDuringAPushWindowGetsTheChangeOnceAsADiff() {
        TopicFeeds feeds = feeds(Duration.ofMillis(50));
        feeds.onCountChanges(List.of(change("video:42", 1, 0, 0, 0)));
        Client c = new Client();
        feeds.subscribe("video:42", "3", c.channel);
        c.drain();
        assertEquals(0L, c.counts.get("video:42")[0], "the state is what was published, not what is pending");
        timers.remove(0).run();
        c.drain();
        assertEquals(1L, c.counts.get("video:42")[0]);
    }

    @Property(tries = 300, seed = "4201")
    void randomInterleavingsLeaveEverySubscriberExact(@ForAll Random random) {
        timers.clear();
        TopicFeeds feeds = feeds(random.nextBoolean() ? Duration.ZERO : Duration.ofMillis(50));
        List<String> topics = List.of("video:1", "video:2");
        Map<String, long[]> truth = new HashMap<>();
        topics.forEach(t -> truth.put(t, new long[2]));
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clients.add(new Client());
        }
        for (int step = 0; step < 200; step++) {
            int kind = random.nextInt(10);
            String topic = topics.get(random.nextInt(topics.size()));
            Client c = clients.get(random.nextInt(clients.size()));
            if (kind < 4) {
                feeds.onCountChanges(List.of(randomChange(random, topic, truth.get(topic))));
            } else if (kind < 6) {
                Subscription previous = c.joined.remove(topic);
                if (previous != null) {
                    feeds.unsubscribe(previous); // a rejoin: the old join stops, the new one starts over
                }
                c.joined.put(topic, feeds.subscribe(topic, Integer.toString(++c.joins), c.channel));
            } else if (kind < 7) {
                Subscription s = c.joined.remove(topic);
                if (s != null) {
                    feeds.unsubscribe(s);
                    c.drain();
                    c.counts.remove(topic);
                }
            } else if (!timers.isEmpty()) {
                timers.remove(random.nextInt(timers.size())).run();
            }
            clients.forEach(Client::drain);
        }
        while (!timers.isEmpty()) {
            timers.remove(0).run();
        }
        for (Client c : clients) {
            c.drain();
            for (String topic : c.joined.keySet()) {
                long[] t = truth.get(topic);
                long[] seen = c.counts.get(topic);
                assertEquals(List.of(t[0], t[1]), List.of(seen[0], seen[1]), "client counts of " + topic);
            }
        }
    }

    static CountChange change(String topic, long viewersIn, long usersIn, long viewersOut, long usersOut) {
        return new CountChange(topic, new Counts(viewersIn, usersIn), new Counts(viewersOut, usersOut));
    }

    /** A change the tracker could emit: joins first, then at most as many leaves as were present. */
    static CountChange randomChange(Random r, String topic, long[] truth) {
        long vj = r.nextInt(3);
        long uj = r.nextInt(3);
        long vl = r.nextInt((int) (truth[0] + vj) + 1);
        long ul = r.nextInt((int) (truth[1] + uj) + 1);
        truth[0] += vj - vl;
        truth[1] += uj - ul;
        return change(topic, vj, uj, vl, ul);
    }
}
