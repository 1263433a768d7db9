package io.headcount.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.netty.IoTransport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load generator's WebSocket client: many Phoenix v2 sockets on a few threads. Each socket leaves
 * from one of several 127.0.0.x source addresses (the ephemeral ports of one address are not the
 * limit), sends the heartbeat the phoenix client sends every 30 s, and hands each frame it receives,
 * parsed, to its listener on the socket's event loop.
 */
final class LoadClient implements AutoCloseable {

    /** What a socket is told, reduced to what the figures need. */
    record Frame(String ref, String topic, String event, String status, long viewers, long users) {
        boolean isReply() {
            return "phx_reply".equals(event);
        }

        boolean isState() {
            return "presence_state".equals(event);
        }

        boolean isDiff() {
            return "presence_diff".equals(event);
        }
    }

    interface Listener {
        /** {@code f}'s viewers and users are absolute in a state, the net change in a diff. */
        void onFrame(Socket s, Frame f, long nanos);
    }

    /** One Phoenix socket; {@code state} is the scenario's, touched on the socket's event loop only. */
    static final class Socket {
        final Channel channel;
        final int node;
        Object state;
        private int refs;

        Socket(Channel channel, int node) {
            this.channel = channel;
            this.node = node;
        }

        void send(String text) {
            channel.writeAndFlush(new TextWebSocketFrame(text), channel.voidPromise());
        }

        void join(String topic) {
            String ref = Integer.toString(++refs);
            send("[\"" + ref + "\",\"" + ref + "\",\"" + topic + "\",\"phx_join\",{}]");
        }

        void leave(String topic) {
            String ref = Integer.toString(++refs);
            send("[null,\"" + ref + "\",\"" + topic + "\",\"phx_leave\",{}]");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IN_FLIGHT_HANDSHAKES = 256;
    /** Each socket's event loop parses identical pushes once: the node encodes one frame for all subscribers. */
    private static final ThreadLocal<Object[]> LAST_PARSED = ThreadLocal.withInitial(() -> new Object[2]);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, IoTransport.handlers());
    private final List<InetAddress> sources = new ArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger next = new AtomicInteger();
    final AtomicInteger unexpectedCloses = new AtomicInteger();

    LoadClient(int sourceAddresses) throws Exception {
        for (int i = 0; i < sourceAddresses; i++) {
            sources.add(InetAddress.getByName("127.0.0." + (10 + i)));
        }
        group.scheduleAtFixedRate(() -> open.forEach(s -> s.send("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]")),
                30, 30, TimeUnit.SECONDS);
    }

    /** Opens {@code count} sockets to the node on {@code port}, a bounded number of handshakes at a time. */
    List<Socket> connect(int node, int port, int count, Listener listener) throws Exception {
        Semaphore inFlight = new Semaphore(IN_FLIGHT_HANDSHAKES);
        List<CompletableFuture<Socket>> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            CompletableFuture<Socket> s = connect(node, port, listener);
            s.whenComplete((ok, failed) -> inFlight.release());
            sockets.add(s);
        }
        List<Socket> connected = new ArrayList<>(count);
        for (CompletableFuture<Socket> s : sockets) {
            connected.add(s.get(60, TimeUnit.SECONDS));
        }
        return connected;
    }

    private CompletableFuture<Socket> connect(int node, int port, Listener listener) {
        CompletableFuture<Socket> connected = new CompletableFuture<>();
        URI uri = URI.create("ws://127.0.0.1:" + port + "/socket/websocket?vsn=2.0.0");
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri).handshakeTimeoutMillis(30_000).dropPongFrames(true).build();
        InetAddress source = sources.get(Math.floorMod(next.getAndIncrement(), sources.size()));
        new Bootstrap().group(group).channel(IoTransport.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(config), new Handler(node, listener, connected));
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(source, 0))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        connected.completeExceptionally(f.cause());
                    }
                });
        return connected;
    }

    /** Closes the sockets and waits until they are closed. */
    void close(List<Socket> sockets) {
        for (Socket s : sockets) {
            open.remove(s);
            s.channel.close();
        }
        for (Socket s : sockets) {
            s.channel.closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        close(List.copyOf(open));
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private final class Handler extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        private final int node;
        private final Listener listener;
        private final CompletableFuture<Socket> connected;
        private Socket socket;

        Handler(int node, Listener listener, CompletableFuture<Socket> connected) {
            this.node = node;
            this.listener = listener;
            this.connected = connected;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                socket = new Socket(ctx.channel(), node);
                open.add(socket);
                connected.complete(socket);
            } else if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                connected.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame msg) throws Exception {
            long now = System.nanoTime();
            listener.onFrame(socket, parse(msg.text()), now);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            connected.completeExceptionally(new IllegalStateException("closed before the WebSocket handshake"));
            if (socket != null && open.remove(socket)) {
                unexpectedCloses.incrementAndGet();
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            connected.completeExceptionally(cause);
            ctx.close();
        }
    }

    static Frame parse(String text) throws Exception {
        Object[] last = LAST_PARSED.get();
        if (text.equals(last[0])) {
            return (Frame) last[1];
        }
        JsonNode f = JSON.readTree(text);
        JsonNode p = f.get(4);
        String event = f.get(3).asText();
        long viewers = 0;
        long users = 0;
        if (event.equals("presence_state")) {
            viewers = p.at("/viewers/count").asLong();
            users = p.at("/users/count").asLong();
        } else if (event.equals("presence_diff")) {
            viewers = p.at("/joins/viewers/count").asLong() - p.at("/leaves/viewers/count").asLong();
            users = p.at("/joins/users/count").asLong() - p.at("/leaves/users/count").asLong();
        }
        Frame parsed = new Frame(f.get(1).isNull() ? null : f.get(1).asText(), f.get(2).asText(), event,
                p.path("status").asText(null), viewers, users);
        last[0] = text;
        last[1] = parsed;
        return parsed;
    }
}
