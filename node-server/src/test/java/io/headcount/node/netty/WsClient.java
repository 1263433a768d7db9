package io.headcount.node.netty;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain WebSocket client (the JDK's) that speaks raw Phoenix frames, for protocol tests. It also
 * keeps the counts of every topic as the original front end does (a state replaces them, a diff adds
 * joins and subtracts leaves) and remembers if one ever went negative.
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final Map<String, long[]> counts = new ConcurrentHashMap<>();
    private volatile String negative;
    private final java.util.concurrent.atomic.AtomicLong framesSeen = new java.util.concurrent.atomic.AtomicLong();
    final WebSocket socket;

    WsClient(String url, String... subprotocols) throws Exception {
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        socket = b.buildAsync(URI.create(url), this).get(10, TimeUnit.SECONDS);
    }

    synchronized void send(String text) {
        socket.sendText(text, true).join();
    }

    synchronized void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame as a JSON array, waiting at most 5 s. */
    JsonNode next() throws InterruptedException {
        JsonNode f = frames.poll(5, TimeUnit.SECONDS);
        if (f == null) {
            throw new AssertionError("no frame within 5 s");
        }
        return f;
    }

    /** Waits for the next frame of the given event, skipping others. */
    JsonNode next(String event) throws InterruptedException {
        while (true) {
            JsonNode f = next();
            if (f.get(3).asText().equals(event)) {
                return f;
            }
        }
    }

    JsonNode poll(Duration d) throws InterruptedException {
        return frames.poll(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    int awaitClose() throws Exception {
        return closed.get(10, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode frame = JSON.readTree(partial.toString());
                reduce(frame);
                framesSeen.incrementAndGet();
                frames.add(frame);
            } catch (Exception e) {
                frames.add(JSON.createArrayNode().add("unparseable: " + partial));
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
    }

    private void reduce(JsonNode f) {
        String topic = f.get(2).asText();
        JsonNode p = f.get(4);
        switch (f.get(3).asText()) {
            case "presence_state" -> counts.put(topic, new long[] {p.at("/viewers/count").asLong(),
                    p.at("/users/count").asLong()});
            case "presence_diff" -> {
                long[] c = counts.computeIfAbsent(topic, t -> new long[2]);
                c[0] += p.at("/joins/viewers/count").asLong() - p.at("/leaves/viewers/count").asLong();
                c[1] += p.at("/joins/users/count").asLong() - p.at("/leaves/users/count").asLong();
                if (c[0] < 0 || c[1] < 0) {
                    negative = topic + " went to viewers=" + c[0] + ", users=" + c[1];
                }
            }
            default -> { }
        }
    }

    /** The counts of a topic as reduced so far: {viewers, users}, or null before its state. */
    long[] counts(String topic) {
        long[] c = counts.get(topic);
        return c == null ? null : c.clone();
    }

    /** Waits until the reduced counts of a topic are these; fails if any count ever went negative. */
    void awaitCounts(String topic, long viewers, long users) {
        io.headcount.tracker.testing.Await.until(Duration.ofSeconds(10), () -> {
            long[] c = counts.get(topic);
            return c != null && c[0] == viewers && c[1] == users;
        }, () -> topic + ": expected viewers=" + viewers + ", users=" + users + ", reduced "
                + java.util.Arrays.toString(counts.get(topic)));
        if (negative != null) {
            throw new AssertionError("a count went negative: " + negative);
        }
    }

    /** Frames received so far. */
    long framesSeen() {
        return framesSeen.get();
    }

    /** Why a count went negative, or null if none ever did. */
    String negative() {
        return negative;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        closed.complete(-1);
    }

    @Override
    public void close() {
        socket.abort();
    }
}
