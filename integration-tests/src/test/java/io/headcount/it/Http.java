package io.headcount.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small HTTP GETs against a node. */
final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Http() {
    }

    /** The status and body of GET {@code url}; status 0 when nothing answers. */
    static Response get(String url) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Response(0, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Response(0, "interrupted");
        }
    }

    record Response(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }
    }

    /** {@code [viewers, users]} of a topic as the node's HTTP API reports it, or null if it does not answer. */
    static long[] topicCounts(String nodeUrl, String topic) {
        Response r = get(nodeUrl + "/api/topics/" + topic);
        if (r.status() != 200) {
            return null;
        }
        JsonNode j = r.json();
        return new long[] {j.path("viewers").path("count").asLong(), j.path("users").path("count").asLong()};
    }

    /** How a node's {@code /api/cluster} regards each node: node name to replica status ("up", "down", ...). */
    static java.util.Map<String, String> replicaStates(String nodeUrl) {
        Response r = get(nodeUrl + "/api/cluster");
        java.util.Map<String, String> states = new java.util.TreeMap<>();
        if (r.status() == 200) {
            for (JsonNode replica : r.json().path("replicas")) {
                String id = replica.path("replica").asText();
                states.put(id.substring(0, id.indexOf('#')), replica.path("status").asText());
            }
        }
        return states;
    }

    /** The members of a node's view as its {@code /api/cluster} lists them. */
    static java.util.List<String> members(String nodeUrl) {
        Response r = get(nodeUrl + "/api/cluster");
        java.util.List<String> members = new java.util.ArrayList<>();
        if (r.status() == 200) {
            r.json().path("members").forEach(m -> members.add(m.asText()));
        }
        return members;
    }
}
