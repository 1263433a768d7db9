package io.headcount.node.config;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses cluster seed lists written as JGroups does: {@code host[port],host[port]}. */
public final class HostList {

    private static final Pattern ENTRY = Pattern.compile("([^\\[\\],\\s]+)\\[(\\d{1,5})]");

    private HostList() {
    }

    public static List<InetSocketAddress> parse(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            Matcher m = ENTRY.matcher(part.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("cluster hosts are written host[port],host[port]; '" + part.trim()
                        + "' is not");
            }
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " in cluster hosts is out of range");
            }
            out.add(InetSocketAddress.createUnresolved(m.group(1), port));
        }
        return out;
    }
}
