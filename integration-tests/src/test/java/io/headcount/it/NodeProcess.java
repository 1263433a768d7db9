package io.headcount.it;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One node as a separate JVM process, so that it can be killed for real. */
final class NodeProcess implements AutoCloseable {

    final String name;
    final int httpPort;
    final int clusterPort;
    private final ProcessHandle handle;

    private NodeProcess(String name, int httpPort, int clusterPort, ProcessHandle handle) {
        this.name = name;
        this.httpPort = httpPort;
        this.clusterPort = clusterPort;
        this.handle = handle;
    }

    static NodeProcess start(String name, int httpPort, int clusterPort, String clusterHosts, Path logDir,
            String... extraOptions) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.net.preferIPv4Stack=true", "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC",
                "-jar", ItEnvironment.nodeJar().toString(),
                "--node-name", name, "--bind", "127.0.0.1",
                "--http-port", Integer.toString(httpPort), "--cluster-port", Integer.toString(clusterPort),
                "--cluster-hosts", clusterHosts));
        cmd.addAll(List.of(extraOptions));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(logDir.resolve(name + ".log").toFile());
        return new NodeProcess(name, httpPort, clusterPort, pb.start().toHandle());
    }

    /** Adopts a process started elsewhere (by the local cluster script). */
    static NodeProcess adopt(String name, int httpPort, int clusterPort, long pid) {
        ProcessHandle handle = ProcessHandle.of(pid)
                .orElseThrow(() -> new IllegalStateException(name + " (pid " + pid + ") is not running"));
        return new NodeProcess(name, httpPort, clusterPort, handle);
    }

    String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    String socketUrl() {
        return "ws://127.0.0.1:" + httpPort + "/socket";
    }

    boolean isAlive() {
        return handle.isAlive();
    }

    /** SIGKILL: no shutdown hook, no graceful leave. */
    void kill() throws InterruptedException {
        handle.destroyForcibly();
        handle.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }

    /** SIGSTOP: the process stays, its sockets open, but it does nothing (a long GC pause, a frozen VM). */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(handle.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + name + " " + handle.pid() + " failed");
        }
    }

    /** SIGTERM, waiting at most {@code wait} before SIGKILL. */
    void stop(Duration wait) {
        ProcessHandle h = handle;
        h.destroy();
        try {
            h.onExit().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.destroyForcibly();
        }
    }

    @Override
    public void close() {
        if (isAlive()) {
            handle.destroyForcibly();
        }
    }
}
