package io.headcount.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.phoenix.TopicPolicy;
import io.headcount.node.presence.TopicFeeds;
import io.headcount.tracker.TopicCounts;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.replication.ClusterStatus;
import io.headcount.tracker.replication.Convergence;
import io.headcount.tracker.replication.ReplicaStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The node's HTTP endpoints, as plain functions from a path to a response; the Netty side only
 * parses and writes. Besides the API: the demo page at {@code /}, the dashboard at
 * {@code /dashboard} (both fed by this API and the WebSocket), and their files under {@code /assets/}.
 */
public final class HttpApi {

    public static final String TOPICS_PREFIX = "/api/topics/";
    static final String ASSETS_PREFIX = "/assets/";
    /** How many topics {@code /api/stats} lists. */
    static final int BUSIEST_TOPICS = 10;
    /**
     * For the pages: scripts and styles only from this node, sockets only back to it (CSP 3 lets
     * 'self' cover ws: and wss: of the same host), no framing, no referrer.
     */
    private static final Map<String, String> PAGE_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
                    + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer");

    private final Tracker tracker;
    private final TopicFeeds feeds;
    private final TopicPolicy topics;
    private final PrometheusMeterRegistry registry;
    private final Supplier<String> notReady;
    private final ObjectMapper json;
    private final StaticFiles files = new StaticFiles();

    public HttpApi(Tracker tracker, TopicFeeds feeds, TopicPolicy topics, PrometheusMeterRegistry registry,
            Supplier<String> notReady, ObjectMapper json) {
        this.tracker = tracker;
        this.feeds = feeds;
        this.topics = topics;
        this.registry = registry;
        this.notReady = notReady;
        this.json = json;
    }

    /** A response: status, content type, body, and headers beyond those every response gets. */
    public record Response(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {

        public Response(HttpResponseStatus status, String contentType, byte[] body) {
            this(status, contentType, body, Map.of());
        }
    }

    public Response handle(String path) {
        if (path.equals("/") || path.equals("/index.html")) {
            return file("index.html");
        }
        if (path.equals("/dashboard")) {
            return file("dashboard.html");
        }
        if (path.startsWith(ASSETS_PREFIX)) {
            return file(path.substring(ASSETS_PREFIX.length()));
        }
        if (path.equals("/api/stats")) {
            return json(HttpResponseStatus.OK, stats());
        }
        if (path.equals("/healthz")) {
            return json(HttpResponseStatus.OK, Map.of("status", "ok"));
        }
        if (path.equals("/readyz")) {
            String problem = notReady.get();
            boolean ok = problem == null;
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", ok ? "ready" : "not ready");
            if (problem != null) {
                body.put("reason", problem);
            }
            return json(ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, body);
        }
        if (path.equals("/metrics")) {
            return new Response(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                    registry.scrape().getBytes(StandardCharsets.UTF_8));
        }
        if (path.equals("/api/cluster")) {
            return json(HttpResponseStatus.OK, cluster());
        }
        if (path.startsWith(TOPICS_PREFIX) && path.length() > TOPICS_PREFIX.length()) {
            String topic = path.substring(TOPICS_PREFIX.length());
            switch (topics.check(topic)) {
                case INVALID -> {
                    return error(HttpResponseStatus.BAD_REQUEST, "invalid topic");
                }
                case NOT_SERVED -> {
                    return error(HttpResponseStatus.NOT_FOUND, "unmatched topic"); // as a join would be told
                }
                case ALLOWED -> { }
            }
            Counts c = tracker.counts(topic);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("topic", topic);
            body.put("viewers", Map.of("count", c.viewers()));
            body.put("users", Map.of("count", c.users()));
            return json(HttpResponseStatus.OK, body);
        }
        return error(HttpResponseStatus.NOT_FOUND, "not found");
    }

    private Map<String, Object> cluster() {
        ClusterStatus status = tracker.status();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("self", status.self().toString());
        body.put("members", status.members());
        // One replica's state is the same in every shard except while a change is under way; show the worst.
        Map<String, String> replicas = new TreeMap<>();
        for (Map<ReplicaId, ReplicaStatus> shard : status.shards()) {
            shard.forEach((replica, s) -> replicas.merge(replica.toString(), s.name().toLowerCase(),
                    (a, b) -> a.equals(b) ? a : "changing"));
        }
        Map<String, Integer> presences = new HashMap<>();
        tracker.presencesByReplica().forEach((r, n) -> presences.put(r.toString(), n));
        Map<String, Long> connections = new HashMap<>();
        tracker.connectionsByReplica().forEach((r, n) -> connections.put(r.toString(), n));
        List<Map<String, Object>> list = new ArrayList<>();
        replicas.forEach((replica, s) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("replica", replica);
            entry.put("status", s);
            entry.put("presences", presences.getOrDefault(replica, 0));
            entry.put("connections", connections.get(replica)); // null: down, or not heard from yet
            list.add(entry);
        });
        body.put("replicas", list);
        if (status.incompatibility() != null) {
            body.put("incompatibility", status.incompatibility());
        }
        return body;
    }

    /**
     * What the dashboard charts besides the cluster: the busiest topics, the count changes this node
     * has seen (since start, and per second lately), and the recent convergence latency.
     */
    private Map<String, Object> stats() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("self", tracker.self().toString());
        List<Map<String, Object>> topics = new ArrayList<>();
        for (TopicCounts t : tracker.busiestTopics(BUSIEST_TOPICS)) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("topic", t.topic());
            entry.put("viewers", t.counts().viewers());
            entry.put("users", t.counts().users());
            topics.add(entry);
        }
        body.put("topics", topics);
        Map<String, Object> changes = new LinkedHashMap<>();
        changes.put("joins", feeds.joinsSeen());
        changes.put("leaves", feeds.leavesSeen());
        changes.put("joinsPerSecond", feeds.joinsPerSecond());
        changes.put("leavesPerSecond", feeds.leavesPerSecond());
        body.put("changes", changes);
        Convergence c = tracker.convergence();
        Map<String, Object> convergence = new LinkedHashMap<>();
        convergence.put("samples", c.samples());
        convergence.put("p50Ms", finiteOrNull(c.p50Millis()));
        convergence.put("p99Ms", finiteOrNull(c.p99Millis()));
        convergence.put("maxMs", finiteOrNull(c.maxMillis()));
        body.put("convergence", convergence);
        return body;
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private Response file(String name) {
        return files.find(name)
                .map(f -> new Response(HttpResponseStatus.OK, f.contentType(), f.body(),
                        name.endsWith(".html") ? PAGE_HEADERS : Map.of()))
                .orElseGet(() -> error(HttpResponseStatus.NOT_FOUND, "not found"));
    }

    public Response error(HttpResponseStatus status, String message) {
        return json(status, Map.of("error", message));
    }

    private Response json(HttpResponseStatus status, Object body) {
        try {
            return new Response(status, "application/json", json.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
