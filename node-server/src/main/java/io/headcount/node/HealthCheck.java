package io.headcount.node;

import io.headcount.node.config.BindAddress;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;

/**
 * The container health check: {@code java -cp headcount-node.jar io.headcount.node.HealthCheck}
 * asks this node's {@code /healthz} (or the path given) and exits 0 if it answers 200, 1 otherwise.
 * It reads the node's address and port from the same environment variables as the node, and needs
 * nothing in the image but Java.
 */
public final class HealthCheck {

    private HealthCheck() {
    }

    public static void main(String[] args) {
        String path = args.length > 0 ? args[0] : "/healthz";
        try {
            int status = status(address(), port(), path, Duration.ofSeconds(3));
            System.exit(status == 200 ? 0 : 1);
        } catch (Exception e) {
            System.err.println("health check: " + e.getMessage());
            System.exit(1);
        }
    }

    static int status(InetAddress host, int port, String path, Duration timeout) throws Exception {
        URI uri = new URI("http", null, host.getHostAddress(), port, path, null, null);
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout((int) timeout.toMillis());
        c.setReadTimeout((int) timeout.toMillis());
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    private static InetAddress address() throws Exception {
        String bind = env("HEADCOUNT_HTTP_BIND", env("HEADCOUNT_BIND", "127.0.0.1"));
        InetAddress a = BindAddress.resolve(bind).address();
        return a.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : a;
    }

    private static int port() {
        return Integer.parseInt(env("HEADCOUNT_HTTP_PORT", "4000"));
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
