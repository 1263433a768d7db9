package io.headcount.node.netty;

import io.headcount.node.phoenix.MalformedFrame;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.node.phoenix.PhoenixMessage;
import io.headcount.node.phoenix.TopicNames;
import io.headcount.node.presence.Subscription;
import io.headcount.node.presence.TopicFeeds;
import io.headcount.tracker.Tracker;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Phoenix socket of one connection: heartbeats, and the join and leave of topics, each join
 * answered with a reply, the topic's published counts as {@code presence_state}, then its diffs.
 *
 * <p>A socket counts once per topic: joining a topic it already joined closes the previous join
 * ({@code phx_close} with the old join_ref) and subscribes the new one, without untracking. When the
 * socket closes, it leaves every topic.
 */
final class PhoenixSocketHandler extends SimpleChannelInboundHandler<Object> {

    private static final Logger log = LoggerFactory.getLogger(PhoenixSocketHandler.class);

    private final Tracker tracker;
    private final TopicFeeds feeds;
    private final PhoenixFrames frames;
    private final NodeMetrics metrics;
    private final int maxTopics;
    private final Map<String, Subscription> joins = new HashMap<>();
    private SocketIdentity identity;

    PhoenixSocketHandler(Tracker tracker, TopicFeeds feeds, PhoenixFrames frames, NodeMetrics metrics, int maxTopics) {
        this.tracker = tracker;
        this.feeds = feeds;
        this.frames = frames;
        this.metrics = metrics;
        this.maxTopics = maxTopics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete) {
            identity = ctx.channel().attr(SocketIdentity.KEY).get();
            metrics.socketOpened();
        } else if (evt instanceof IdleStateEvent) {
            if (identity == null) {
                ctx.close(); // an idle plain HTTP connection
                return;
            }
            metrics.rejected("idle");
            close(ctx, WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout");
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PhoenixMessage m) {
            handle(ctx, m);
        } else if (msg instanceof MalformedFrame bad) {
            metrics.rejected("malformed_frame");
            if (bad.canBeAnswered()) {
                ctx.writeAndFlush(frames.error(null, bad.ref(), bad.topic(), bad.reason()));
            } else {
                close(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, bad.reason());
            }
        } else if (msg instanceof WebSocketFrame) {
            metrics.rejected("binary_frame");
            close(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "only text frames are supported");
        }
    }

    private void handle(ChannelHandlerContext ctx, PhoenixMessage m) {
        if (PhoenixMessage.SOCKET_TOPIC.equals(m.topic()) && PhoenixMessage.HEARTBEAT.equals(m.event())) {
            ctx.writeAndFlush(frames.ok(null, m.ref(), m.topic()));
        } else if (PhoenixMessage.JOIN.equals(m.event())) {
            join(ctx, m);
        } else if (PhoenixMessage.LEAVE.equals(m.event())) {
            leave(ctx, m);
        } else if (joins.containsKey(m.topic())) {
            metrics.rejected("unknown_event");
            ctx.writeAndFlush(frames.error(m.joinRef(), m.ref(), m.topic(), "unknown event"));
        } else {
            metrics.rejected("unmatched_topic");
            ctx.writeAndFlush(frames.error(null, m.ref(), m.topic(), "unmatched topic"));
        }
    }

    private void join(ChannelHandlerContext ctx, PhoenixMessage m) {
        String topic = m.topic();
        if (!TopicNames.isValid(topic)) {
            metrics.rejected("invalid_topic");
            ctx.writeAndFlush(frames.error(m.joinRef(), m.ref(), topic, "invalid topic"));
            return;
        }
        Subscription previous = joins.remove(topic);
        if (previous == null && joins.size() >= maxTopics) {
            metrics.rejected("too_many_topics");
            ctx.writeAndFlush(frames.error(m.joinRef(), m.ref(), topic, "too many topics"));
            return;
        }
        if (previous != null) {
            feeds.unsubscribe(previous);
            ctx.write(frames.close(previous.joinRef(), topic));
        }
        ctx.write(frames.ok(m.joinRef(), m.ref(), topic));
        joins.put(topic, feeds.subscribe(topic, m.joinRef(), ctx.channel()));
        if (previous == null) {
            tracker.track(topic, identity.connection(), identity.userId());
            metrics.joined();
        }
    }

    private void leave(ChannelHandlerContext ctx, PhoenixMessage m) {
        Subscription s = joins.remove(m.topic());
        ctx.write(frames.ok(m.joinRef(), m.ref(), m.topic()));
        if (s != null) {
            feeds.unsubscribe(s);
            tracker.untrack(m.topic(), identity.connection());
            metrics.left(1);
            ctx.write(frames.close(s.joinRef(), m.topic()));
        }
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (identity != null) {
            metrics.socketClosed();
            if (!joins.isEmpty()) {
                joins.values().forEach(feeds::unsubscribe);
                tracker.untrackAll(identity.connection());
                metrics.left(joins.size());
                joins.clear();
            }
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        metrics.rejected("error");
        log.warn("closing socket {} after an error: {}", ctx.channel().remoteAddress(), cause.toString());
        close(ctx, WebSocketCloseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }

    private static void close(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
        ctx.writeAndFlush(new CloseWebSocketFrame(status, reason)).addListener(ChannelFutureListener.CLOSE);
    }
}
