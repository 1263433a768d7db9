package io.headcount.tracker.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free TCP ports for tests, taken below the kernel's ephemeral range (32768+) so that outgoing
 * connections do not grab them, and never handed out twice in one JVM.
 */
public final class TestPorts {

    private static final Random RANDOM = new Random();
    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    private TestPorts() {
    }

    /** A port {@code p} such that {@code p} and {@code p + offset} are both free (0 for a single port). */
    public static synchronized int allocate(int offset) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int p = 20000 + RANDOM.nextInt(10000);
            if (!TAKEN.contains(p) && !TAKEN.contains(p + offset) && free(p) && (offset == 0 || free(p + offset))) {
                TAKEN.add(p);
                TAKEN.add(p + offset);
                return p;
            }
        }
        throw new IllegalStateException("no free port found");
    }

    public static int allocate() {
        return allocate(0);
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
