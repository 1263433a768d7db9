package io.headcount.node.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class BadInputLogTest {

    @Test
    void aFloodOfBadConnectionsWritesAtMostTheBudgetPerSecondAndCountsTheRest() {
        Logger logger = (Logger) LoggerFactory.getLogger("io.headcount.node.BadInput");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        try {
            BadInputLog log = new BadInputLog(10);
            EmbeddedChannel channel = new EmbeddedChannel();
            for (int i = 0; i < 10_000; i++) {
                log.warn(channel, "malformed message");
            }
            assertTrue(lines.list.size() <= 20, lines.list.size() + " lines for 10,000 bad inputs");
            assertEquals(1, lines.list.get(0).getFormattedMessage().lines().count(), "one line per event");
        } finally {
            logger.detachAppender(lines);
        }
    }
}
