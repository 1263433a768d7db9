package io.headcount.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes that really crossed loopback TCP, read from the kernel's {@code tcp_info} through {@code ss}:
 * payload of the TCP segments, so JGroups' own framing and headers included.
 */
final class TcpCounters {

    /** {@code Recv-Q Send-Q Local:Port Peer:Port} (the state column is left out when filtering by state). */
    private static final Pattern ENDPOINTS = Pattern.compile("\\d+\\s+\\d+\\s+(\\S+):(\\d+)\\s+(\\S+):(\\d+)");
    private static final Pattern ACKED = Pattern.compile("bytes_acked:(\\d+)");
    private static final Pattern RECEIVED = Pattern.compile("bytes_received:(\\d+)");

    private TcpCounters() {
    }

    /**
     * Bytes sent from the member listening on {@code fromPort} to the one listening on {@code toPort}
     * over their transport connection, whichever side opened it.
     */
    static long bytesSent(int fromPort, int toPort) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tinH", "state", "established").start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        ss.waitFor();
        long total = 0;
        String[] lines = out.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            Matcher m = ENDPOINTS.matcher(lines[i].trim());
            if (!m.lookingAt()) {
                continue;
            }
            int localPort = Integer.parseInt(m.group(2));
            String info = lines[i + 1];
            if (localPort == toPort) { // accepted by the receiver: what it received
                total += value(RECEIVED, info);
            } else if (localPort == fromPort) { // accepted by the sender: what it sent and saw acknowledged
                total += value(ACKED, info);
            }
        }
        return total;
    }

    private static long value(Pattern p, String info) {
        Matcher m = p.matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
