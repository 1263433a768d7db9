package io.headcount.node.netty;

import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One warning line per misbehaving connection, and at most {@code linesPerSecond} of them across the
 * node, so that a flood of bad clients cannot flood the log. Lines over the budget are counted and the
 * count is reported on the next line written.
 */
final class BadInputLog {

    private static final Logger log = LoggerFactory.getLogger("io.headcount.node.BadInput");

    private final int linesPerSecond;
    private long windowStart = System.nanoTime();
    private int linesInWindow;
    private long suppressed;

    BadInputLog(int linesPerSecond) {
        this.linesPerSecond = linesPerSecond;
    }

    synchronized void warn(Channel channel, String what) {
        long now = System.nanoTime();
        if (now - windowStart >= 1_000_000_000L) {
            windowStart = now;
            linesInWindow = 0;
        }
        if (linesInWindow >= linesPerSecond) {
            suppressed++;
            return;
        }
        linesInWindow++;
        if (suppressed > 0) {
            log.warn("socket {}: {} ({} similar warnings suppressed)", channel.remoteAddress(), what, suppressed);
            suppressed = 0;
        } else {
            log.warn("socket {}: {}", channel.remoteAddress(), what);
        }
    }
}
