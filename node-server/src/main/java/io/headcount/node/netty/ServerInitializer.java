package io.headcount.node.netty;

import io.headcount.node.auth.TokenService;
import io.headcount.node.config.NodeSettings;
import io.headcount.node.config.SocketSettings;
import io.headcount.node.http.HttpApi;
import io.headcount.node.phoenix.PhoenixFrameDecoder;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.node.presence.TopicFeeds;
import io.headcount.tracker.Tracker;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The pipeline of every connection, read top to bottom. */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {

    /** Requests to this server are GETs without bodies; anything larger is refused by the aggregator. */
    private static final int MAX_HTTP_REQUEST = 8 * 1024;

    private final NodeSettings settings;
    private final Tracker tracker;
    private final TopicFeeds feeds;
    private final PhoenixFrames frames;
    private final PhoenixFrameDecoder decoder;
    private final HttpApi api;
    private final TokenService tokens;
    private final NodeMetrics metrics;
    private final ChannelGroup connections;
    private final Supplier<String> notReady;
    private final WebSocketServerProtocolConfig webSocketConfig;
    private final TrafficCounter traffic;
    private final BadInputLog badInput = new BadInputLog(10);

    ServerInitializer(NodeSettings settings, Tracker tracker, TopicFeeds feeds, PhoenixFrames frames,
            PhoenixFrameDecoder decoder, HttpApi api, TokenService tokens, NodeMetrics metrics,
            ChannelGroup connections, Supplier<String> notReady) {
        this.connections = connections;
        this.notReady = notReady;
        this.settings = settings;
        this.tracker = tracker;
        this.feeds = feeds;
        this.frames = frames;
        this.decoder = decoder;
        this.api = api;
        this.tokens = tokens;
        this.metrics = metrics;
        this.traffic = new TrafficCounter(metrics);
        this.webSocketConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(HttpRouter.SOCKET_PATH)
                .checkStartsWith(true) // the path carries a query string
                .subprotocols("phoenix")
                .handshakeTimeoutMillis(10_000)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(settings.sockets().maxFrameBytes())
                        .allowExtensions(false)
                        .build())
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch); // to be drained on shutdown
        ChannelPipeline p = ch.pipeline();
        SocketSettings sockets = settings.sockets();
        p.addLast(traffic);
        p.addLast(new IdleStateHandler(sockets.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast(new SlowReaderGuard(sockets.slowReaderTimeout(), metrics, badInput));
        p.addLast(new HttpServerCodec());
        p.addLast(new HttpObjectAggregator(MAX_HTTP_REQUEST));
        p.addLast(new HttpRouter(api, tokens, sockets.refuseInvalidTokens(), metrics, Clock.systemUTC(),
                notReady));
        p.addLast(new WebSocketServerProtocolHandler(webSocketConfig));
        p.addLast(new WebSocketFrameAggregator(sockets.maxFrameBytes()));
        p.addLast(decoder);
        p.addLast(new PhoenixSocketHandler(tracker, feeds, frames, metrics, badInput, sockets));
    }
}
