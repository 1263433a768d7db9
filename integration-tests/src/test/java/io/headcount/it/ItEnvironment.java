package io.headcount.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Where the packaged node, the repository and the scratch space are, and free ports. */
final class ItEnvironment {

    private static final Random RANDOM = new Random();
    private static final java.util.Set<Integer> TAKEN = new java.util.HashSet<>();

    private ItEnvironment() {
    }

    static Path nodeJar() {
        Path jar = Path.of(System.getProperty("headcount.node.jar", "../node-server/target/headcount-node.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the node jar is missing at " + jar.toAbsolutePath() + ": run mvn package first");
        }
        return jar.toAbsolutePath().normalize();
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("headcount.repo.root", "..")).toAbsolutePath().normalize();
    }

    /** A fresh directory for one test's files (logs, state), kept after the run for inspection. */
    static Path workDir(String name) {
        Path base = Path.of(System.getProperty("headcount.work.dir", "target/it-work"));
        try {
            Path dir = base.resolve(name + "-" + System.currentTimeMillis()).toAbsolutePath();
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The first of {@code count} consecutive free ports such that each port + {@code offset} is free too
     * (offset 0 for none); taken below the kernel's ephemeral range so outgoing connections don't grab them.
     */
    static synchronized int freePorts(int count, int offset) {
        for (int attempt = 0; attempt < 2000; attempt++) {
            int base = 20000 + RANDOM.nextInt(10000);
            boolean ok = true;
            for (int i = 0; i < count && ok; i++) {
                ok = !TAKEN.contains(base + i) && !TAKEN.contains(base + i + offset)
                        && free(base + i) && (offset == 0 || free(base + i + offset));
            }
            if (ok) {
                for (int i = 0; i < count; i++) {
                    TAKEN.add(base + i);
                    TAKEN.add(base + i + offset);
                }
                return base;
            }
        }
        throw new IllegalStateException("no free port range found");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
