package io.headcount.node.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounds what a client that does not read can cost (case B12). Once more than the write buffer's high
 * water mark is queued for it, the channel is unwritable: its requests are no longer read (so they
 * cannot queue replies), count pushes to it are skipped (see {@code Subscription}), and if it stays
 * that way for the slow-reader timeout it is closed. When it catches up, reading resumes and the
 * handlers after this one resend the latest counts.
 */
final class SlowReaderGuard extends ChannelInboundHandlerAdapter {

    private final Duration timeout;
    private final NodeMetrics metrics;
    private final BadInputLog badInput;
    private ScheduledFuture<?> deadline;

    SlowReaderGuard(Duration timeout, NodeMetrics metrics, BadInputLog badInput) {
        this.timeout = timeout;
        this.metrics = metrics;
        this.badInput = badInput;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
            if (deadline == null) {
                deadline = ctx.executor().schedule(() -> closeIfStillBehind(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
        } else {
            if (deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void closeIfStillBehind(ChannelHandlerContext ctx) {
        deadline = null;
        if (ctx.channel().isActive() && !ctx.channel().isWritable()) {
            metrics.rejected("slow_reader");
            badInput.warn(ctx.channel(), "does not read what it is sent; closed after " + timeout.toMillis() + " ms");
            ctx.close(); // a close frame could not get through either
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        super.channelInactive(ctx);
    }
}
