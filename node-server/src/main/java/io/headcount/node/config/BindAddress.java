package io.headcount.node.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The address a node binds to, and why, so that the start-up log can say it (case B15: a node in a
 * container that picks an unreachable interface forms a cluster of its own). Written as an address or
 * host name; {@code auto}, the machine's only non-loopback IPv4 address (a container's or a pod's); or
 * a subnet such as {@code 10.88.0.0/16}, the local address inside it (a host on several networks).
 */
public record BindAddress(InetAddress address, String reason) {

    public static BindAddress resolve(String text) throws UnknownHostException {
        String t = text.trim();
        if (t.equals("auto")) {
            List<InetAddress> candidates = localIpv4(false);
            if (candidates.size() != 1) {
                throw new IllegalArgumentException("bind 'auto' needs exactly one non-loopback IPv4 address, found "
                        + (candidates.isEmpty() ? "none" : candidates) + "; name the address or its subnet (a.b.c.d/n)");
            }
            return new BindAddress(candidates.get(0), "auto: the only non-loopback IPv4 address");
        }
        if (t.contains("/")) {
            String[] parts = t.split("/", 2);
            InetAddress network = InetAddress.getByName(parts[0]);
            int prefix;
            try {
                prefix = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (!(network instanceof Inet4Address) || prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("bind subnet '" + t + "' must be IPv4 a.b.c.d/n with n from 0 to 32");
            }
            List<InetAddress> local = localIpv4(true);
            for (InetAddress a : local) {
                if (sameSubnet(a, network, prefix)) {
                    return new BindAddress(a, "the local address in " + t);
                }
            }
            throw new IllegalArgumentException("no local address is in " + t + "; local addresses are " + local);
        }
        return new BindAddress(InetAddress.getByName(t), "as given");
    }

    private static boolean sameSubnet(InetAddress a, InetAddress network, int prefix) {
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        return (toInt(a) & mask) == (toInt(network) & mask);
    }

    private static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static List<InetAddress> localIpv4(boolean withLoopback) {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && (withLoopback || !a.isLoopbackAddress())) {
                        out.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces: " + e.getMessage(), e);
        }
        return out;
    }
}
