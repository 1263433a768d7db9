package io.headcount.tracker.jgroups;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where a node's cluster sockets live and whom it contacts first.
 *
 * @param clusterName       nodes join only a cluster of the same name
 * @param nodeName          the logical name shown in views and logs
 * @param bindAddress       every cluster socket, listening and connecting, binds to this address
 * @param bindPort          the transport's port; failure detection listens on {@code bindPort + fdOffset}
 * @param initialHosts      the members to contact at start (TCPPING); this node may be among them
 * @param fdOffset          offset of the failure-detection port from {@code bindPort}
 * @param failureTimeout    how long a silent (paused, cut off) member is tolerated before it is suspected
 * @param suspectTimeout    how long a suspicion is verified before the member is excluded
 * @param dnsQuery          when set, members are found by this DNS name (its A records, on {@code bindPort};
 *                          DNS_PING: Docker service names, Kubernetes headless services) instead of {@code initialHosts}
 * @param stackFile         a JGroups stack of the operator's, with the same {@code ${headcount.*}} placeholders as
 *                          the built-in {@code headcount-tcp.xml}; null for the built-in one
 */
public record JGroupsSettings(String clusterName, String nodeName, InetAddress bindAddress, int bindPort,
        List<InetSocketAddress> initialHosts, int fdOffset, Duration failureTimeout, Duration suspectTimeout,
        String dnsQuery, java.nio.file.Path stackFile) {

    /** The built-in stack. */
    public JGroupsSettings(String clusterName, String nodeName, InetAddress bindAddress, int bindPort,
            List<InetSocketAddress> initialHosts, int fdOffset, Duration failureTimeout, Duration suspectTimeout,
            String dnsQuery) {
        this(clusterName, nodeName, bindAddress, bindPort, initialHosts, fdOffset, failureTimeout, suspectTimeout, dnsQuery,
                null);
    }

    /** Static discovery through {@code initialHosts}. */
    public JGroupsSettings(String clusterName, String nodeName, InetAddress bindAddress, int bindPort,
            List<InetSocketAddress> initialHosts, int fdOffset, Duration failureTimeout, Duration suspectTimeout) {
        this(clusterName, nodeName, bindAddress, bindPort, initialHosts, fdOffset, failureTimeout, suspectTimeout, null);
    }

    public JGroupsSettings {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(failureTimeout, "failureTimeout");
        Objects.requireNonNull(suspectTimeout, "suspectTimeout");
        initialHosts = List.copyOf(initialHosts);
        if (bindPort < 1 || bindPort > 65535) {
            throw new IllegalArgumentException("cluster port must be between 1 and 65535, was " + bindPort);
        }
        if (fdOffset < 1 || bindPort + fdOffset > 65535) {
            throw new IllegalArgumentException("failure-detection port (cluster port + " + fdOffset
                    + ") must be a valid port");
        }
        if (failureTimeout.compareTo(Duration.ofSeconds(2)) < 0) {
            throw new IllegalArgumentException("failure timeout must be at least 2s (heartbeats go every second), was "
                    + failureTimeout);
        }
        if (suspectTimeout.isNegative() || suspectTimeout.isZero()) {
            throw new IllegalArgumentException("suspect timeout must be positive, was " + suspectTimeout);
        }
        if (dnsQuery != null && !dnsQuery.matches("[A-Za-z0-9.\\-_]{1,253}")) {
            throw new IllegalArgumentException("DNS discovery needs a host name, was '" + dnsQuery + "'");
        }
    }

    /** A single node on {@code address:port} that knows only itself. */
    public static JGroupsSettings standalone(String nodeName, InetAddress address, int port) {
        return new JGroupsSettings("headcount", nodeName, address, port, List.of(new InetSocketAddress(address, port)),
                100, Duration.ofSeconds(6), Duration.ofMillis(500));
    }

    public JGroupsSettings withInitialHosts(List<InetSocketAddress> hosts) {
        return new JGroupsSettings(clusterName, nodeName, bindAddress, bindPort, hosts, fdOffset, failureTimeout,
                suspectTimeout, dnsQuery, stackFile);
    }

    public JGroupsSettings withClusterName(String name) {
        return new JGroupsSettings(name, nodeName, bindAddress, bindPort, initialHosts, fdOffset, failureTimeout,
                suspectTimeout, dnsQuery, stackFile);
    }

    public JGroupsSettings withFailureTimeout(Duration d) {
        return new JGroupsSettings(clusterName, nodeName, bindAddress, bindPort, initialHosts, fdOffset, d,
                suspectTimeout, dnsQuery, stackFile);
    }
}
