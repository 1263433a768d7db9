package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.TestNode;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.testing.Await;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Clients that stop reading (case B12) or vanish without closing (case B10). */
class SlowAndDeadClientsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Churn straight into the tracker: every track and untrack is one push (push window 0). */
    static void churn(Tracker tracker, String topic, int pairs) {
        for (int i = 0; i < pairs; i++) {
            tracker.track(topic, 1_000_000 + i, null);
            tracker.untrack(topic, 1_000_000 + i);
        }
    }

    /** The sum of the Prometheus samples whose line starts with {@code line}. */
    static double metric(TestNode node, String line) {
        try {
            return node.get("/metrics").body().lines().filter(l -> l.startsWith(line)).mapToDouble(
                    l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aReaderThatStopsReadingCostsNoMoreThanItsWriteBufferWhileOthersKeepExactCounts() throws Exception {
        try (TestNode node = TestNode.start("slow-reader", "--push-window", "0ms", "--write-buffer", "16384",
                "--slow-reader-timeout", "60s");
                WsClient healthy = new WsClient(node.socketUrl("vsn=2.0.0"));
                RawSocket stalled = new RawSocket(node.httpPort, "vsn=2.0.0", 4096)) {
            List<String> topics = IntStream.range(0, 100).mapToObj(i -> "video:b12-" + i).toList();
            healthy.send("[\"1\",\"1\",\"" + topics.get(0) + "\",\"phx_join\",{}]");
            for (String topic : topics) {
                stalled.sendText("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
            }
            healthy.awaitCounts(topics.get(0), 2, 0);
            Await.until(Duration.ofSeconds(5), () -> topics.stream().allMatch(t -> node.node.tracker().counts(t)
                    .viewers() >= 1), () -> "the stalled client joined every topic");
            long before = bufferMemory();
            long most = before;
            // 2,000 rounds of one push per topic, ~120 bytes each: 24 MB that the stalled client never reads
            int rounds = 2000;
            for (int round = 1; round <= rounds; round++) {
                for (String topic : topics) {
                    node.node.tracker().track(topic, 1_000_000 + round, null);
                }
                int r = round;
                Await.until(Duration.ofSeconds(10), () -> topics.stream().allMatch(t -> node.node.tracker().counts(t)
                        .viewers() == r + (t.equals(topics.get(0)) ? 2 : 1)), () -> "round " + r + " counted");
                most = Math.max(most, bufferMemory());
            }
            healthy.awaitCounts(topics.get(0), 2 + rounds, 0);
            most = Math.max(most, bufferMemory());
            assertTrue(most - before < 8 * 1024 * 1024, "buffer memory grew by " + (most - before) + " bytes");
            assertTrue(metric(node, "headcount_presence_drops_total") > 0, "pushes to the stalled reader were skipped");
            assertEquals(0.0, metric(node, "headcount_rejections_total{reason=\"slow_reader\""),
                    "not closed before its timeout");
        }
    }

    @Test
    void aReaderThatStaysBehindIsClosedAfterTheSlowReaderTimeout() throws Exception {
        try (TestNode node = TestNode.start("slow-reader-closed", "--push-window", "0ms", "--write-buffer", "16384",
                "--slow-reader-timeout", "1s");
                WsClient healthy = new WsClient(node.socketUrl("vsn=2.0.0"));
                RawSocket stalled = new RawSocket(node.httpPort, "vsn=2.0.0", 4096)) {
            String topic = "video:b12-closed";
            healthy.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
            stalled.sendText("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
            healthy.awaitCounts(topic, 2, 0);
            churn(node.node.tracker(), topic, 20_000);
            Await.until(Duration.ofSeconds(10), () -> metric(node, "headcount_rejections_total{reason=\"slow_reader\"")
                    >= 1, () -> "the stalled reader is closed");
            healthy.awaitCounts(topic, 1, 0);
            assertTrue(stalled.drainUntilClosed(), "the server closed the stalled socket");
        }
    }

    /** Bytes the node's buffer allocator holds (count pushes are encoded with it). */
    static long bufferMemory() {
        ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return m.usedDirectMemory() + m.usedHeapMemory();
    }

    @Test
    void aReaderThatFallsBehindThenCatchesUpGetsTheLatestStateAndExactCounts() throws Exception {
        try (TestNode node = TestNode.start("catch-up", "--push-window", "0ms", "--write-buffer", "8192",
                "--slow-reader-timeout", "60s");
                RawSocket behind = new RawSocket(node.httpPort, "vsn=2.0.0", 4096)) {
            String topic = "video:catch-up";
            behind.sendText("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
            Await.until(Duration.ofSeconds(5), () -> node.node.tracker().counts(topic).viewers() == 1, () -> "joined");
            for (int round = 0; round < 10; round++) {
                churn(node.node.tracker(), topic, 1000);
            }
            node.node.tracker().track(topic, 42, "u42"); // the last change: a user stays
            Await.until(Duration.ofSeconds(10), () -> metric(node, "headcount_presence_drops_total") > 0,
                    () -> "pushes skipped while the reader is behind");
            // now read everything, reducing as the front end does
            long viewers = -1;
            long users = -1;
            boolean resynced = false;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!(viewers == 1 && users == 1 && resynced) && System.nanoTime() < deadline) {
                JsonNode f = JSON.readTree(behind.read().text());
                JsonNode p = f.get(4);
                switch (f.get(3).asText()) {
                    case "presence_state" -> {
                        resynced = viewers >= 0;
                        viewers = p.at("/viewers/count").asLong();
                        users = p.at("/users/count").asLong();
                    }
                    case "presence_diff" -> {
                        viewers += p.at("/joins/viewers/count").asLong() - p.at("/leaves/viewers/count").asLong();
                        users += p.at("/joins/users/count").asLong() - p.at("/leaves/users/count").asLong();
                        assertTrue(viewers >= 0 && users >= 0, "negative: " + viewers + "/" + users);
                    }
                    default -> { }
                }
            }
            assertTrue(resynced, "a fresh presence_state replaced the skipped pushes");
            assertEquals(1, viewers);
            assertEquals(1, users);
        }
    }

    @Test
    void aClientThatGoesSilentIsDroppedByTheIdleTimeoutAndCountsOnceWhenItComesBack() throws Exception {
        try (TestNode node = TestNode.start("idle", "--push-window", "0ms", "--idle-timeout", "1s");
                WsClient observer = new WsClient(node.socketUrl("vsn=2.0.0"))) {
            String topic = "video:b10";
            String token = new io.headcount.node.auth.TokenService(java.util.List.of(TestNode.SECRET))
                    .mint("u1", Duration.ofHours(1), java.time.Instant.now());
            // the observer keeps heartbeating, as the phoenix client does every 30 s (here faster than the timeout)
            java.util.concurrent.ScheduledExecutorService beats = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            beats.scheduleAtFixedRate(() -> observer.send("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]"), 0, 300,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            try {
                observer.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
                long start;
                try (WsClient silent = new WsClient(node.socketUrl("token=" + token + "&vsn=2.0.0"))) {
                    silent.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
                    observer.awaitCounts(topic, 1, 1);
                    start = System.nanoTime();
                    assertEquals(1001, silent.awaitClose(), "closed as gone away, so a live client would reconnect");
                }
                observer.awaitCounts(topic, 1, 0);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertTrue(ms < 3000, "dropped " + ms + " ms after its last frame");
                try (WsClient back = new WsClient(node.socketUrl("token=" + token + "&vsn=2.0.0"))) {
                    back.send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
                    observer.awaitCounts(topic, 1, 1);
                }
            } finally {
                beats.shutdownNow();
            }
        }
    }
}
