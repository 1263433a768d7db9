package io.headcount.node.netty;

import io.headcount.node.config.SocketSettings;
import io.headcount.node.phoenix.MalformedFrame;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.node.phoenix.PhoenixMessage;
import io.headcount.node.presence.Subscription;
import io.headcount.node.presence.TopicFeeds;
import io.headcount.tracker.Tracker;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The Phoenix socket of one connection: heartbeats, and the join and leave of topics, each join
 * answered with a reply, the topic's published counts as {@code presence_state}, then its pushes.
 *
 * <p>A socket counts once per topic: joining a topic it already joined closes the previous join
 * ({@code phx_close} with the old join_ref) and subscribes the new one, without untracking. When the
 * socket closes, it leaves every topic.
 *
 * <p>Every request the server refuses (a malformed frame, an unknown event or topic, a join over the
 * limits) gets an error reply and costs the socket a strike; a socket that runs out of strikes is
 * closed with 1008, so a bad client cannot keep the node busy refusing it. Only the first bad input of
 * a connection is logged.
 */
final class PhoenixSocketHandler extends SimpleChannelInboundHandler<Object> {

    /** Refusals a socket may collect at once, and how fast they are forgiven. */
    static final int STRIKES = 50;
    static final double STRIKES_FORGIVEN_PER_SECOND = 1;

    private final Tracker tracker;
    private final TopicFeeds feeds;
    private final PhoenixFrames frames;
    private final NodeMetrics metrics;
    private final BadInputLog badInput;
    private final SocketSettings settings;
    private final Map<String, Subscription> joins = new HashMap<>();
    private final TokenBucket joinBudget;
    private final TokenBucket strikes;
    private SocketIdentity identity;
    private boolean warned;

    PhoenixSocketHandler(Tracker tracker, TopicFeeds feeds, PhoenixFrames frames, NodeMetrics metrics,
            BadInputLog badInput, SocketSettings settings) {
        this.tracker = tracker;
        this.feeds = feeds;
        this.frames = frames;
        this.metrics = metrics;
        this.badInput = badInput;
        this.settings = settings;
        this.joinBudget = new TokenBucket(settings.maxTopicsPerSocket(), settings.joinsPerSecond(), System::nanoTime);
        this.strikes = new TokenBucket(STRIKES, STRIKES_FORGIVEN_PER_SECOND, System::nanoTime);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
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
        if (WebSocketClose.isClosing(ctx.channel())) {
            return; // we said goodbye; what the client still sends is dropped
        }
        if (msg instanceof PhoenixMessage m) {
            handle(ctx, m);
        } else if (msg instanceof MalformedFrame bad) {
            if (bad.canBeAnswered()) {
                refuse(ctx, null, bad.ref(), bad.topic(), "malformed_frame", bad.reason());
            } else {
                fault(ctx, "malformed_frame", bad.reason());
                close(ctx, WebSocketCloseStatus.INVALID_PAYLOAD_DATA, bad.reason());
            }
        } else if (msg instanceof WebSocketFrame) {
            fault(ctx, "binary_frame", "sent a binary frame");
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
            refuse(ctx, m.joinRef(), m.ref(), m.topic(), "unknown_event", "unknown event");
        } else {
            refuse(ctx, null, m.ref(), m.topic(), "unmatched_topic", "unmatched topic");
        }
    }

    private void join(ChannelHandlerContext ctx, PhoenixMessage m) {
        String topic = m.topic();
        switch (settings.topics().check(topic)) {
            case INVALID -> {
                refuse(ctx, m.joinRef(), m.ref(), topic, "invalid_topic", "invalid topic");
                return;
            }
            case NOT_SERVED -> {
                refuse(ctx, m.joinRef(), m.ref(), topic, "topic_not_served", "unmatched topic");
                return;
            }
            case ALLOWED -> { }
        }
        Subscription previous = joins.get(topic);
        if (previous == null && joins.size() >= settings.maxTopicsPerSocket()) {
            refuse(ctx, m.joinRef(), m.ref(), topic, "too_many_topics", "too many topics");
            return;
        }
        if (!joinBudget.tryTake()) {
            refuse(ctx, m.joinRef(), m.ref(), topic, "join_rate", "too many joins, slow down");
            return;
        }
        if (previous != null) {
            joins.remove(topic);
            feeds.unsubscribe(previous);
            ctx.write(frames.close(previous.joinRef(), topic));
        }
        ctx.write(frames.joined(m.joinRef(), m.ref(), topic, identity.userId() != null));
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

    /** A slow reader caught up: the pushes it missed are replaced by the latest counts. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            for (Subscription s : joins.values()) {
                if (s.isStale()) {
                    feeds.resync(s);
                }
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (identity != null) {
            metrics.socketClosed();
            leaveAll();
        }
        super.channelInactive(ctx);
    }

    private void leaveAll() {
        if (!joins.isEmpty()) {
            joins.values().forEach(feeds::unsubscribe);
            tracker.untrackAll(identity.connection());
            metrics.left(joins.size());
            joins.clear();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (WebSocketClose.isClosing(ctx.channel())) {
            return; // the close under way ends the socket
        }
        if (cause instanceof TooLongFrameException) {
            // a message assembled from fragments passed the limit; the rest is discarded unread
            fault(ctx, "frame_too_big", "message over " + settings.maxFrameBytes() + " bytes");
            close(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big");
        } else if (cause instanceof CorruptedWebSocketFrameException e) {
            // the frame decoder has already sent its close code (1009 for a frame over the limit, 1002 otherwise)
            fault(ctx, e.closeStatus() == WebSocketCloseStatus.MESSAGE_TOO_BIG ? "frame_too_big" : "protocol_violation",
                    e.getMessage());
            ctx.close();
        } else if (cause instanceof IOException) {
            ctx.close(); // the peer reset the connection: nothing to tell anyone
        } else {
            fault(ctx, "error", "internal error: " + cause);
            close(ctx, WebSocketCloseStatus.INTERNAL_SERVER_ERROR, "internal error");
        }
    }

    /** Answers a request with an error reply and charges the socket a strike. */
    private void refuse(ChannelHandlerContext ctx, String joinRef, String ref, String topic, String reason, String text) {
        fault(ctx, reason, text + (topic == null ? "" : " (" + shortened(topic) + ")"));
        // the topic as sent, however long (the frame limit bounds it): a client matches replies by topic
        ctx.writeAndFlush(frames.error(joinRef, ref, topic, text));
        if (!strikes.tryTake()) {
            metrics.rejected("too_many_refusals");
            close(ctx, WebSocketCloseStatus.POLICY_VIOLATION, "too many refused requests");
        }
    }

    /** Counts a bad input by reason; the first of a connection is logged (rate-limited across the node). */
    private void fault(ChannelHandlerContext ctx, String reason, String text) {
        metrics.rejected(reason);
        if (!warned) {
            warned = true;
            badInput.warn(ctx.channel(), text);
        }
    }

    /** A topic as it may be logged: never more than the longest valid name. */
    private static String shortened(String topic) {
        return topic.length() <= 256 ? topic : topic.substring(0, 256) + "...";
    }

    /** Closes the socket with a code; its presences leave at once, not when the TCP connection ends. */
    private void close(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
        if (identity != null) {
            leaveAll();
        }
        WebSocketClose.send(ctx.channel(), status, reason);
    }
}
