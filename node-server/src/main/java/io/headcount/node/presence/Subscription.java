package io.headcount.node.presence;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * One join of one topic by one socket. Frames for it are written on the socket's event loop and only
 * while it is active, so a diff still queued for an earlier join never reaches a later one (which
 * got its own state).
 */
public final class Subscription {

    private final String topic;
    private final String joinRef;
    private final Channel channel;
    /** Written and read on the channel's event loop only. */
    private boolean active = true;

    Subscription(String topic, String joinRef, Channel channel) {
        this.topic = topic;
        this.joinRef = joinRef;
        this.channel = channel;
    }

    public String topic() {
        return topic;
    }

    public String joinRef() {
        return joinRef;
    }

    Channel channel() {
        return channel;
    }

    /** Stops delivery; call on the channel's event loop. */
    void cancel() {
        active = false;
    }

    /** Writes a shared, already encoded frame; takes ownership of {@code content}. */
    void deliver(ByteBuf content) {
        if (channel.eventLoop().inEventLoop()) {
            write(content);
        } else {
            channel.eventLoop().execute(() -> write(content));
        }
    }

    private void write(ByteBuf content) {
        if (active && channel.isActive()) {
            channel.writeAndFlush(new TextWebSocketFrame(content), channel.voidPromise());
        } else {
            content.release();
        }
    }
}
