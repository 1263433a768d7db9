package io.headcount.node.netty;

import io.headcount.node.auth.TokenService;
import io.headcount.node.http.HttpApi;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The first handler to see a request: answers the HTTP API, and lets through to the WebSocket
 * handshake only requests for {@code /socket/websocket} with a 2.x {@code vsn}, after deciding who
 * the socket is from its token. Removes itself from a socket's pipeline once it is upgraded.
 */
final class HttpRouter extends ChannelInboundHandlerAdapter {

    static final String SOCKET_PATH = "/socket/websocket";
    private static final String BEARER_PREFIX = "base64url.bearer.phx.";
    private static final AtomicLong CONNECTIONS = new AtomicLong();

    private final HttpApi api;
    private final TokenService tokens;
    private final boolean refuseInvalidTokens;
    private final NodeMetrics metrics;
    private final Clock clock;
    private final Supplier<String> notReady;

    HttpRouter(HttpApi api, TokenService tokens, boolean refuseInvalidTokens, NodeMetrics metrics, Clock clock,
            Supplier<String> notReady) {
        this.notReady = notReady;
        this.api = api;
        this.tokens = tokens;
        this.refuseInvalidTokens = refuseInvalidTokens;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (request.decoderResult().isFailure()) {
            // the codec could not read the request: say which limit or rule it broke, then close
            metrics.rejected("bad_http");
            request.setProtocolVersion(HttpVersion.HTTP_1_1); // what it said is unknown: answer in ours
            try {
                respond(ctx, request, api.error(statusFor(request.decoderResult().cause()), "bad request: "
                        + request.decoderResult().cause().getMessage()));
            } finally {
                request.release();
            }
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(originForm(request.uri()));
        if (!uri.path().equals(SOCKET_PATH)) {
            try {
                boolean read = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
                HttpApi.Response response = read
                        ? api.handle(uri.path())
                        : api.error(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET and HEAD are served");
                respond(ctx, request, response);
            } finally {
                request.release();
            }
            return;
        }
        String notReadyReason = notReady.get();
        if (notReadyReason != null) {
            // draining, or not (yet) in the cluster: the load balancer retries another node
            metrics.rejected("not_ready");
            try {
                respond(ctx, request, api.error(HttpResponseStatus.SERVICE_UNAVAILABLE, notReadyReason));
            } finally {
                request.release();
            }
            return;
        }
        String refusal = refusal(request, uri);
        if (refusal != null) {
            metrics.rejected(refusal.startsWith("vsn") ? "unsupported_vsn" : "unauthorized");
            try {
                respond(ctx, request, api.error(HttpResponseStatus.FORBIDDEN, refusal));
            } finally {
                request.release();
            }
            return;
        }
        String userId = tokens.verify(token(request, uri), clock.instant()).orElse(null);
        ctx.channel().attr(SocketIdentity.KEY).set(new SocketIdentity(CONNECTIONS.incrementAndGet(), userId));
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    private static HttpResponseStatus statusFor(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    /** The path and query of a request target; an absolute-form one ({@code http://host/path}) too, as RFC 9112 asks. */
    private static String originForm(String target) {
        if (!target.startsWith("http://") && !target.startsWith("https://")) {
            return target;
        }
        int slash = target.indexOf('/', target.indexOf("//") + 2);
        return slash < 0 ? "/" : target.substring(slash);
    }

    /** Why the upgrade is refused (HTTP 403), or {@code null}. */
    private String refusal(FullHttpRequest request, QueryStringDecoder uri) {
        String vsn = first(uri.parameters(), "vsn");
        if (vsn == null || !vsn.startsWith("2.")) {
            return "vsn " + (vsn == null ? "missing" : "'" + vsn + "'") + ": only the Phoenix v2 protocol (vsn=2.0.0) is served";
        }
        if (refuseInvalidTokens) {
            String token = token(request, uri);
            if (token != null && tokens.verify(token, clock.instant()).isEmpty()) {
                return "unauthorized";
            }
        }
        return null;
    }

    /**
     * The token of the query ({@code ?token=...}) or of the {@code authToken} option, which phoenix.js
     * sends as a {@code base64url.bearer.phx.<token>} WebSocket subprotocol. Absent, empty, "null" and
     * "undefined" (what a front end sends when it has none) mean no token.
     */
    private static String token(FullHttpRequest request, QueryStringDecoder uri) {
        String token = first(uri.parameters(), "token");
        String protocols = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        if (protocols != null) {
            for (String p : protocols.split(",")) {
                String candidate = p.trim();
                if (candidate.startsWith(BEARER_PREFIX)) {
                    try {
                        // phoenix.js encodes with btoa (standard alphabet, '=' stripped)
                        String encoded = candidate.substring(BEARER_PREFIX.length()).replace('+', '-').replace('/', '_');
                        token = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException e) {
                        token = null;
                    }
                }
            }
        }
        if (token == null || token.isEmpty() || token.equals("null") || token.equals("undefined")) {
            return null;
        }
        return token;
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpApi.Response r) {
        boolean head = request.method().equals(HttpMethod.HEAD);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), r.status(),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().forEach(response.headers()::set);
        boolean keepAlive = HttpUtil.isKeepAlive(request) && r.status().code() < 400;
        HttpUtil.setKeepAlive(response, keepAlive);
        var done = ctx.writeAndFlush(response);
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
