package io.headcount.node;

import io.headcount.tracker.testing.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * A node in this JVM on ports of its own, configured through the command line like a real one.
 * Nodes made with the same {@code cluster} name and each other's {@link #seed()} form one cluster.
 */
public final class TestNode implements AutoCloseable {

    public static final String SECRET = "test-node-secret-0123456789";

    public final HeadcountNode node;
    public final int httpPort;
    public final int clusterPort;

    private TestNode(HeadcountNode node, int httpPort, int clusterPort) {
        this.node = node;
        this.httpPort = httpPort;
        this.clusterPort = clusterPort;
    }

    /** Starts a node of its own one-node cluster with the given extra command-line options. */
    public static TestNode start(String name, String... options) throws Exception {
        return start(name, name + "-" + System.nanoTime(), List.of(), options);
    }

    /** Starts a node of {@code cluster} that contacts {@code seeds} ({@code host[port]}) and itself. */
    public static TestNode start(String name, String cluster, List<String> seeds, String... options) throws Exception {
        int http = TestPorts.allocate();
        int clusterPort = TestPorts.allocate(100);
        List<String> args = new ArrayList<>(List.of("--node-name", name, "--http-port", "" + http, "--cluster-port",
                "" + clusterPort, "--cluster-name", cluster, "--secret", SECRET));
        if (!List.of(options).contains("--drain-period")) {
            args.addAll(List.of("--drain-period", "0ms"));
        }
        List<String> hosts = new ArrayList<>(seeds);
        hosts.add("127.0.0.1[" + clusterPort + "]");
        args.addAll(List.of("--cluster-hosts", String.join(",", hosts)));
        args.addAll(List.of(options));
        HeadcountNode node = new HeadcountNode(Main.parseSettings(args.toArray(String[]::new))).start();
        return new TestNode(node, http, clusterPort);
    }

    public String seed() {
        return "127.0.0.1[" + clusterPort + "]";
    }

    public String socketUrl(String query) {
        return "ws://127.0.0.1:" + httpPort + "/socket/websocket?" + query;
    }

    public HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        node.close();
    }
}
