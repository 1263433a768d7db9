package io.headcount.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.phoenix.TopicPolicy;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.replication.ClusterStatus;
import io.headcount.tracker.replication.ReplicaStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The node's HTTP endpoints, as plain functions from a path to a response; the Netty side only
 * parses and writes.
 */
public final class HttpApi {

    public static final String TOPICS_PREFIX = "/api/topics/";

    private final Tracker tracker;
    private final PrometheusMeterRegistry registry;
    private final Supplier<String> notReady;
    private final ObjectMapper json;

    public HttpApi(Tracker tracker, PrometheusMeterRegistry registry, Supplier<String> notReady, ObjectMapper json) {
        this.tracker = tracker;
        this.registry = registry;
        this.notReady = notReady;
        this.json = json;
    }

    /** A response: status, content type, body. */
    public record Response(HttpResponseStatus status, String contentType, byte[] body) {
    }

    public Response handle(String path) {
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
            if (!TopicPolicy.isWellFormed(topic)) {
                return error(HttpResponseStatus.BAD_REQUEST, "invalid topic");
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
        List<Map<String, String>> list = new ArrayList<>();
        replicas.forEach((replica, s) -> list.add(Map.of("replica", replica, "status", s)));
        body.put("replicas", list);
        if (status.incompatibility() != null) {
            body.put("incompatibility", status.incompatibility());
        }
        return body;
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
