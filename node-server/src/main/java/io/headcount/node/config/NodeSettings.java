package io.headcount.node.config;

import io.headcount.tracker.TrackerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a node is configured with, validated at start with messages that name the rule. A node
 * needs none of it: the defaults make a cluster of one on 127.0.0.1:4000.
 *
 * @param nodeName           unique and stable per node: a restart under the same name replaces the previous life
 * @param bind               address of every cluster socket, and why it was chosen
 * @param httpBind           address of the HTTP and WebSocket port
 * @param clusterHosts       seed members to contact; empty means only this node
 * @param dnsDiscovery       when set, members are found by this DNS name instead of {@code clusterHosts}
 * @param jgroupsStack       the operator's JGroups stack file, or null for the built-in one
 * @param minMembers         the node is ready, and takes sockets, once it has been in a view this large
 * @param secrets            token secrets, the signing one first; older ones still verify (rotation)
 * @param developmentSecret  true when no secret was given and a fixed, public one is in use
 * @param drainPeriod        on SIGTERM, sockets are closed (1012, reconnect elsewhere) spread over this period
 * @param failureTimeout     a cluster member silent this long (paused, cut off) is suspected
 * @param sockets            what a WebSocket may do and what it is sent
 * @param tracker            replication settings
 */
public record NodeSettings(String nodeName, BindAddress bind, InetAddress httpBind, int httpPort, int clusterPort,
        List<InetSocketAddress> clusterHosts, String dnsDiscovery, java.nio.file.Path jgroupsStack, int minMembers, String clusterName, List<String> secrets, boolean developmentSecret,
        Duration drainPeriod, Duration failureTimeout, SocketSettings sockets, TrackerConfig tracker) {

    public NodeSettings {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(httpBind, "httpBind");
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(drainPeriod, "drainPeriod");
        Objects.requireNonNull(failureTimeout, "failureTimeout");
        Objects.requireNonNull(sockets, "sockets");
        Objects.requireNonNull(tracker, "tracker");
        clusterHosts = List.copyOf(clusterHosts);
        secrets = List.copyOf(secrets);
        if (nodeName.isBlank() || nodeName.length() > 100) {
            throw new IllegalArgumentException("node name must be 1 to 100 characters");
        }
        requirePort("HTTP port", httpPort);
        requirePort("cluster port", clusterPort);
        if (httpPort == clusterPort) {
            throw new IllegalArgumentException("HTTP port and cluster port must differ, both were " + httpPort);
        }
        if (httpPort == clusterPort + FAILURE_DETECTION_OFFSET) {
            throw new IllegalArgumentException("HTTP port " + httpPort + " is the failure-detection port (cluster port + "
                    + FAILURE_DETECTION_OFFSET + ")");
        }
        requirePort("failure-detection port (cluster port + " + FAILURE_DETECTION_OFFSET + ")",
                clusterPort + FAILURE_DETECTION_OFFSET);
        if (clusterName.isBlank()) {
            throw new IllegalArgumentException("cluster name must not be empty");
        }
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("at least one token secret is needed");
        }
        for (String secret : secrets) {
            if (secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 16) {
                throw new IllegalArgumentException("a token secret must be at least 16 bytes long");
            }
        }
        if (minMembers < 1) {
            throw new IllegalArgumentException("min members must be at least 1, was " + minMembers);
        }
        if (bind.address().isLoopbackAddress() && (dnsDiscovery != null || clusterHosts.stream()
                .anyMatch(NodeSettings::isRemote))) {
            throw new IllegalArgumentException("cluster sockets bind to loopback " + bind.address().getHostAddress()
                    + " but peers are found " + (dnsDiscovery != null ? "by DNS name " + dnsDiscovery : "at "
                    + clusterHosts) + ": they could never reach this node; set --bind to an address they can reach");
        }
        if (drainPeriod.isNegative()) {
            throw new IllegalArgumentException("drain period must not be negative, was " + drainPeriod);
        }
    }

    /** Failure detection listens on the cluster port plus this. */
    public static final int FAILURE_DETECTION_OFFSET = 100;

    private static void requirePort(String what, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(what + " must be between 1 and 65535, was " + port);
        }
    }

    /** The seeds to contact; this node alone when none were given. */
    public List<InetSocketAddress> seeds() {
        return clusterHosts.isEmpty() ? List.of(new InetSocketAddress(bind.address(), clusterPort)) : clusterHosts;
    }

    /** A seed on another machine: a literal or resolvable address that is not loopback. */
    private static boolean isRemote(InetSocketAddress seed) {
        try {
            return !InetAddress.getByName(seed.getHostString()).isLoopbackAddress();
        } catch (java.net.UnknownHostException notYetResolvable) {
            return true; // a name such as a container's that only its network knows
        }
    }
}
