package io.headcount.bench;

import io.headcount.tracker.testing.TestPorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Node JVMs on loopback, each on its own ports, listing each other as cluster hosts; logs in a temp folder. */
final class NodeProcesses implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final Path jar = Path.of(System.getProperty("headcount.node.jar", "node-server/target/headcount-node.jar"));
    private final int[] http;
    private final int[] cluster;
    private final Process[] nodes;
    private final List<String> extraFlags;
    final Path logs;

    NodeProcesses(int size, List<String> extraFlags) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("node jar missing at " + jar.toAbsolutePath() + " (mvn -DskipTests package)");
        }
        this.extraFlags = List.copyOf(extraFlags);
        logs = Files.createTempDirectory("headcount-bench-nodes");
        http = new int[size];
        cluster = new int[size];
        nodes = new Process[size];
        for (int i = 0; i < size; i++) {
            http[i] = TestPorts.allocate();
            cluster[i] = TestPorts.allocate(100);
        }
    }

    int size() {
        return nodes.length;
    }

    int httpPort(int i) {
        return http[i];
    }

    Process process(int i) {
        return nodes[i];
    }

    /** Starts node {@code i} as {@code n<i>} and waits until it is ready. */
    void start(int i) throws Exception {
        StringBuilder seeds = new StringBuilder();
        for (int j = 0; j < cluster.length; j++) {
            seeds.append(j == 0 ? "" : ",").append("127.0.0.1[").append(cluster[j]).append(']');
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.net.preferIPv4Stack=true", "-Xmx512m", "-jar", jar.toString(), "--node-name", "n" + i,
                "--http-port", "" + http[i], "--cluster-port", "" + cluster[i], "--cluster-hosts", seeds.toString()));
        String jvmOptions = System.getProperty("headcount.node.jvm", "");
        if (!jvmOptions.isBlank()) {
            command.addAll(3, List.of(jvmOptions.trim().split("\\s+"))); // e.g. -XX:StartFlightRecording
        }
        command.addAll(extraFlags);
        nodes[i] = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(logs.toFile(), "n" + i + ".log"))).start();
        await(() -> status(i, "/readyz") == 200, "n" + i + " ready");
    }

    void startAll() throws Exception {
        for (int i = 0; i < nodes.length; i++) {
            start(i);
        }
    }

    /** The status of a GET on node {@code i}, or -1 when it does not answer. */
    int status(int i, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http[i] + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    String get(int i, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http[i] + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + PATIENCE.toSeconds() + " s: " + what + " (logs in " + logs + ")");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    @Override
    public void close() {
        for (Process p : nodes) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }
}
