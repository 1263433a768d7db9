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
}
