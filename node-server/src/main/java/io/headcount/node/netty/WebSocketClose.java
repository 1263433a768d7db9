package io.headcount.node.netty;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.AttributeKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a WebSocket as RFC 6455 (section 7.1.1) asks of a server: the close frame, then our half of
 * the TCP connection, then the socket once the client has closed its half, or after {@link #LINGER}.
 *
 * <p>Closing the socket right after the frame is not enough: if the client is still sending (a flood,
 * a burst of joins), the kernel answers its unread bytes with a reset, and a reset can destroy the
 * close frame before the client reads it, so it would see 1006 instead of the code that tells it why.
 */
final class WebSocketClose {

    static final Duration LINGER = Duration.ofSeconds(2);

    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("headcount.closing");

    private WebSocketClose() {
    }

    /** Starts the close once; later calls, and calls on a closed channel, do nothing. */
    static void send(Channel ch, WebSocketCloseStatus status, String reason) {
        if (!ch.isActive() || ch.attr(CLOSING).setIfAbsent(Boolean.TRUE) != null) {
            return;
        }
        ch.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(f -> {
            if (f.isSuccess() && ch instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
                ch.eventLoop().schedule(() -> ch.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                ch.close();
            }
        });
    }

    /** Whether a close was started: what the client sends from then on is not read. */
    static boolean isClosing(Channel ch) {
        return ch.hasAttr(CLOSING) && ch.attr(CLOSING).get() != null;
    }
}
