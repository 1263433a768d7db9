package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.node.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests the HTTP codec cannot read get the status of the rule they broke, and the connection is closed. */
class MalformedHttpTest {

    static TestNode node;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.start("malformed-http");
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    /** Sends raw bytes; returns everything the node answers until it closes the connection. */
    static String exchange(String request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", node.httpPort), 2000);
            s.setSoTimeout(5000); // a connection left open would fail the read here, not hang the test
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void aRequestLineOverTheLimitIs414NotAMisleading404() throws Exception {
        String answer = exchange("GET /?topic=video:" + "x".repeat(5000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 414 "), answer);
        assertTrue(answer.contains("bad request"), answer);
    }

    @Test
    void headersOverTheLimitAre431() throws Exception {
        String answer = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(10_000) + "\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
    }

    @Test
    void anUnreadableChunkedBodyIs400() throws Exception {
        String answer = exchange("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400 "), answer);
    }

    @Test
    void anAbsoluteFormTargetIsServedLikeItsPath() throws Exception {
        String answer = exchange("GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
        assertEquals(200, node.get("/healthz").statusCode(), "the node is unhurt");
    }
}
