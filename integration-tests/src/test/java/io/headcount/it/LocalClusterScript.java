package io.headcount.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** The README's main command, {@code deploy/local-cluster.sh}, run detached on ports of the test's own. */
final class LocalClusterScript implements AutoCloseable {

    final int nodes;
    final int lbPort;
    final int httpBase;
    final int clusterBase;
    final Path stateDir;
    private final Map<String, String> environment;

    private LocalClusterScript(int nodes, Path stateDir, Map<String, String> environment) {
        this.nodes = nodes;
        this.stateDir = stateDir;
        this.environment = environment;
        this.lbPort = ItEnvironment.freePorts(1, 0);
        this.httpBase = ItEnvironment.freePorts(nodes, 0);
        this.clusterBase = ItEnvironment.freePorts(nodes, 100);
    }

    static LocalClusterScript start(int nodes, Path stateDir, Map<String, String> environment, String... nodeOptions)
            throws IOException, InterruptedException {
        LocalClusterScript c = new LocalClusterScript(nodes, stateDir, environment);
        List<String> args = new ArrayList<>(List.of("start", "--detach", "--nodes", Integer.toString(nodes),
                "--lb-port", Integer.toString(c.lbPort), "--http-base", Integer.toString(c.httpBase),
                "--cluster-base", Integer.toString(c.clusterBase), "--state-dir", stateDir.toString()));
        if (nodeOptions.length > 0) {
            args.add("--");
            args.addAll(List.of(nodeOptions));
        }
        try {
            c.run(args, "start");
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void run(List<String> args, String what) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", ItEnvironment.repoRoot().resolve("deploy/local-cluster.sh").toString()));
        cmd.addAll(args);
        Files.createDirectories(stateDir);
        Path out = stateDir.resolve("script-" + what + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(environment);
        Process p = pb.start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("local-cluster.sh " + what + " did not finish: " + Files.readString(out));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("local-cluster.sh " + what + " failed: " + Files.readString(out));
        }
    }

    /** Node {@code i}, counted from 1 as the script names them. */
    NodeProcess node(int i) throws IOException {
        long pid = Long.parseLong(Files.readString(stateDir.resolve("node-n" + i + ".pid")).trim());
        return NodeProcess.adopt("n" + i, httpBase + i - 1, clusterBase + i - 1, pid);
    }

    String loadBalancerSocketUrl() {
        return "ws://127.0.0.1:" + lbPort + "/socket";
    }

    String loadBalancerUrl() {
        return "http://127.0.0.1:" + lbPort;
    }

    /** The cluster's seed list, plus any extra cluster ports (of nodes started by the test). */
    String clusterHosts(int... extraPorts) {
        return IntStream.concat(IntStream.range(0, nodes).map(i -> clusterBase + i), IntStream.of(extraPorts))
                .mapToObj(p -> "127.0.0.1[" + p + "]").collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        try {
            run(List.of("stop", "--state-dir", stateDir.toString()), "stop");
        } catch (Exception e) {
            // fall through to the pid files
        }
        try (var files = Files.list(stateDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                ProcessHandle.of(Long.parseLong(Files.readString(f).trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (IOException | NumberFormatException e) {
            // nothing left to clean
        }
    }
}
