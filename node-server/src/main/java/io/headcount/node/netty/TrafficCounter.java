package io.headcount.node.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/** Counts the bytes every connection receives and sends, at the socket, for the metrics. */
@ChannelHandler.Sharable
final class TrafficCounter extends ChannelDuplexHandler {

    private final NodeMetrics metrics;

    TrafficCounter(NodeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            metrics.received(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            metrics.sent(b.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
