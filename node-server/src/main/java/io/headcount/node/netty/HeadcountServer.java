package io.headcount.node.netty;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.auth.TokenService;
import io.headcount.node.config.NodeSettings;
import io.headcount.node.http.HttpApi;
import io.headcount.node.phoenix.PhoenixFrameDecoder;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.node.presence.TopicFeeds;
import io.headcount.tracker.Tracker;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one Netty port of a node: HTTP API and Phoenix WebSockets. */
public final class HeadcountServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeadcountServer.class);

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, IoTransport.handlers());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(IoTransport.handlers());
    private final ChannelGroup sockets = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel listener;

    /** The executor the count fan-out schedules its push windows on. */
    public EventLoopGroup workers() {
        return workers;
    }

    public static PhoenixFrames frames(ObjectMapper json) {
        return new PhoenixFrames(json, ByteBufAllocator.DEFAULT);
    }

    /**
     * Listens on the node's HTTP port.
     *
     * @param notReady why the node does not take sockets now (draining, not yet in a large enough cluster), or
     *                 null: WebSocket upgrades are refused with 503 and that reason while it is set
     */
    public void start(NodeSettings settings, Tracker tracker, TopicFeeds feeds, PhoenixFrames frames, ObjectMapper json,
            HttpApi api, TokenService tokens, NodeMetrics metrics, Supplier<String> notReady) {
        ServerInitializer initializer = new ServerInitializer(settings, tracker, feeds, frames,
                new PhoenixFrameDecoder(json), api, tokens, metrics, sockets, notReady);
        InetSocketAddress address = new InetSocketAddress(settings.httpBind(), settings.httpPort());
        var bound = new ServerBootstrap()
                .group(boss, workers)
                .channel(IoTransport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        settings.sockets().writeBufferBytes() / 2, settings.sockets().writeBufferBytes()))
                .childHandler(initializer)
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + settings.httpBind().getHostAddress() + ":"
                    + settings.httpPort() + " (HTTP): " + bound.cause().getMessage(), bound.cause());
        }
        listener = bound.channel();
        log.info("serving HTTP and WebSockets on http://{}:{} ({})", settings.httpBind().getHostAddress(),
                settings.httpPort(), IoTransport.name());
    }

    /** Stops accepting connections; open sockets stay. */
    public void stopAccepting() {
        if (listener != null) {
            listener.close().awaitUninterruptibly();
        }
    }

    /**
     * Closes every open socket with 1012 (service restart: the client reconnects, through the load
     * balancer to another node), spread evenly over {@code period} so they do not all come back at once.
     */
    public void drain(Duration period) throws InterruptedException {
        Channel[] open = sockets.toArray(new Channel[0]);
        if (open.length == 0) {
            return;
        }
        long gapNanos = period.toNanos() / open.length;
        log.info("closing {} sockets over {}", open.length, period);
        for (Channel ch : open) {
            if (ch.attr(SocketIdentity.KEY).get() == null) {
                ch.close(); // plain HTTP
            } else if (ch.isActive()) {
                WebSocketClose.send(ch, WebSocketCloseStatus.SERVICE_RESTART, "node shutting down");
            }
            if (gapNanos > 0) {
                TimeUnit.NANOSECONDS.sleep(gapNanos);
            }
        }
    }

    @Override
    public void close() {
        stopAccepting();
        sockets.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
