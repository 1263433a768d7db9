package io.headcount.node.presence;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * One join of one topic by one socket. Pushes for it are written on the socket's event loop and only
 * while it is active, so a push still queued for an earlier join never reaches a later one (which got
 * its own state).
 *
 * <p>Every push carries the number of its flush. A subscription remembers the flush its last state
 * reflects and ignores pushes up to it, so that a state sent to catch up a slow reader is never
 * followed by a diff it already contains. While its socket is not writable (a slow reader), pushes are
 * skipped and the subscription marked stale; {@link TopicFeeds#resync} then sends the latest state.
 * Counts are replaceable: only the newest matters, so nothing is lost by skipping.
 */
public final class Subscription {

    private final String topic;
    private final String joinRef;
    private final Channel channel;
    private final Counter drops;
    /** The fields below are written and read on the channel's event loop only. */
    private boolean active = true;
    private boolean stale;
    private long syncedFlush;

    Subscription(String topic, String joinRef, Channel channel, Counter drops) {
        this.topic = topic;
        this.joinRef = joinRef;
        this.channel = channel;
        this.drops = drops;
    }

    public String topic() {
        return topic;
    }

    public String joinRef() {
        return joinRef;
    }

    /** True when pushes were skipped because the socket could not take them. */
    public boolean isStale() {
        return stale;
    }

    Channel channel() {
        return channel;
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Stops delivery; call on the channel's event loop. */
    void cancel() {
        active = false;
    }

    /** Writes a state reflecting every flush up to {@code flush}; call on the channel's event loop. */
    void sendState(TextWebSocketFrame state, long flush) {
        stale = false;
        syncedFlush = flush;
        channel.writeAndFlush(state, channel.voidPromise());
    }

    /**
     * Writes a shared, already encoded push of flush number {@code flush} to subscriptions whose sockets
     * all run on {@code loop}, in one task of that loop; takes ownership of {@code content}.
     */
    static void deliver(EventLoop loop, Subscription[] subscriptions, ByteBuf content, long flush) {
        if (loop.inEventLoop()) {
            writeAll(subscriptions, content, flush);
        } else {
            loop.execute(() -> writeAll(subscriptions, content, flush));
        }
    }

    private static void writeAll(Subscription[] subscriptions, ByteBuf content, long flush) {
        try {
            for (Subscription s : subscriptions) {
                s.write(content.retainedDuplicate(), flush);
            }
        } finally {
            content.release();
        }
    }

    private void write(ByteBuf content, long flush) {
        if (!active || !channel.isActive() || flush <= syncedFlush) {
            content.release();
        } else if (!channel.isWritable()) {
            content.release();
            stale = true;
            drops.increment();
        } else {
            channel.writeAndFlush(new TextWebSocketFrame(content), channel.voidPromise());
        }
    }
}
