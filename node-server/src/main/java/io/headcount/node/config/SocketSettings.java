package io.headcount.node.config;

import io.headcount.node.phoenix.TopicPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * What a WebSocket may do and what it is sent, validated at start with messages that name the rule.
 *
 * @param refuseInvalidTokens refuse sockets whose token does not verify (HTTP 403), instead of counting them as viewers
 * @param pushWindow          count changes of a topic are gathered this long into one push; 0 = at once
 * @param pushMode            diffs (joins and leaves) or absolute counts
 * @param idleTimeout         a socket that sends nothing (heartbeats included) this long is closed
 * @param maxFrameBytes       largest WebSocket message accepted, fragments included
 * @param maxTopicsPerSocket  how many topics one socket may have joined at once
 * @param joinsPerSecond      sustained joins per second per socket; bursts up to {@code maxTopicsPerSocket}
 * @param topics              the topics sockets may join
 * @param writeBufferBytes    bytes queued for a socket before it counts as a slow reader; pushes to it are then
 *                            skipped and replaced by the latest state once it catches up
 * @param slowReaderTimeout   a socket that stays a slow reader this long is closed
 */
public record SocketSettings(boolean refuseInvalidTokens, Duration pushWindow, PushMode pushMode, Duration idleTimeout,
        int maxFrameBytes, int maxTopicsPerSocket, int joinsPerSecond, TopicPolicy topics, int writeBufferBytes,
        Duration slowReaderTimeout) {

    public SocketSettings {
        Objects.requireNonNull(pushWindow, "pushWindow");
        Objects.requireNonNull(pushMode, "pushMode");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(slowReaderTimeout, "slowReaderTimeout");
        if (pushWindow.isNegative() || pushWindow.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new IllegalArgumentException("push window must be between 0 and 5s, was " + Durations.format(pushWindow));
        }
        if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("idle timeout must be at least 1s, was " + Durations.format(idleTimeout));
        }
        if (maxFrameBytes < 1024 || maxFrameBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("max frame size must be between 1 KiB and 16 MiB, was " + maxFrameBytes);
        }
        if (maxTopicsPerSocket < 1) {
            throw new IllegalArgumentException("max topics per socket must be at least 1, was " + maxTopicsPerSocket);
        }
        if (joinsPerSecond < 1) {
            throw new IllegalArgumentException("join rate must be at least 1 per second, was " + joinsPerSecond);
        }
        if (writeBufferBytes < 4096) {
            throw new IllegalArgumentException("write buffer must be at least 4096 bytes, was " + writeBufferBytes);
        }
        if (slowReaderTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("slow reader timeout must be at least 100ms, was "
                    + Durations.format(slowReaderTimeout));
        }
    }
}
