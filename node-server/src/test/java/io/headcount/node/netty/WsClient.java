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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A plain WebSocket client (the JDK's) that speaks raw Phoenix frames, for protocol tests. */
final class WsClient implements WebSocket.Listener, AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    final WebSocket socket;

    WsClient(String url, String... subprotocols) throws Exception {
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (subprotocols.length > 0) {
            b.subprotocols(subprotocols[0], java.util.Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
        }
        socket = b.buildAsync(URI.create(url), this).get(10, TimeUnit.SECONDS);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    void sendBinary(byte[] bytes) {
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
                frames.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                frames.add(JSON.createArrayNode().add("unparseable: " + partial));
            }
            partial.setLength(0);
        }
        ws.request(1);
        return null;
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
