package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.node.HeadcountNode;
import io.headcount.node.TestNode;
import io.headcount.node.config.NodeSettings;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.testing.Await;
import io.headcount.tracker.testing.TestPorts;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** A node shutting down: not ready, no new sockets, open ones closed with 1012 over the drain period. */
class DrainTest {

    @Test
    void aStoppingNodeReportsNotReadyRefusesNewSocketsAndClosesOpenOnesWith1012() throws Exception {
        TestNode test = TestNode.start("drain-test", "--drain-period", "2s");
        HeadcountNode node = test.node;
        int port = test.httpPort;
        String ws = "ws://127.0.0.1:" + port + "/socket/websocket?vsn=2.0.0";
        HttpClient http = HttpClient.newHttpClient();
        URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
        try (WsClient a = new WsClient(ws); WsClient b = new WsClient(ws)) {
            assertEquals(200, http.send(HttpRequest.newBuilder(readyz).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            Thread stopper = new Thread(node::close);
            stopper.start();
            Await.until(Duration.ofSeconds(5), () -> status(http, readyz) == 503, () -> "/readyz turns 503");
            ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> new WsClient(ws).close());
            assertTrue(String.valueOf(refused.getCause().getCause()).contains("503"), "new sockets refused: " + refused);
            assertEquals(1012, a.awaitClose());
            assertEquals(1012, b.awaitClose());
            stopper.join(10_000);
            assertEquals(-1, status(http, readyz), "the port is closed at the end");
        } finally {
            node.close();
        }
    }

    private static int status(HttpClient http, URI uri) {
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
