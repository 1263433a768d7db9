package io.headcount.tracker;

import io.headcount.tracker.crdt.CountingMode;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the replication engine, validated at construction with messages naming the broken rule.
 * Phoenix.Tracker's nearest equivalents are given for each (README, "Settings").
 *
 * @param shards            number of shards topics are hashed over; identical on every node (Phoenix {@code pool_size}, 1)
 * @param flushWindow       how long local changes are gathered before their delta is broadcast; 0 sends at once
 *                          (Phoenix {@code broadcast_period}, 1.5 s)
 * @param maxDeltaSize      a delta is sent early once it holds this many dots (Phoenix: none)
 * @param heartbeatInterval how often each shard announces its clock so peers can find gaps
 *                          (Phoenix heartbeats every {@code broadcast_period}, and at least every 15 s when idle)
 * @param permdownPeriod    how long the entries of a replica that left the view are kept, hidden, in case it comes
 *                          back (Phoenix {@code permdown_period}, 20 min)
 * @param transferTimeout   how long an unanswered transfer request is outstanding before it may be sent again
 * @param historySize       dots and entries of recent deltas kept to answer a transfer with only what was missed
 *                          (Phoenix {@code max_delta_sizes}, [100, 1000, 10000])
 * @param transferChunk     entries per message of a full-state transfer (Phoenix: one message, unbounded)
 * @param countingMode      how {@code users} are counted
 */
public record TrackerConfig(int shards, Duration flushWindow, int maxDeltaSize, Duration heartbeatInterval,
        Duration permdownPeriod, Duration transferTimeout, int historySize, int transferChunk,
        CountingMode countingMode) {

    public static final int MAX_SHARDS = 1024;

    public TrackerConfig {
        Objects.requireNonNull(flushWindow, "flushWindow");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(permdownPeriod, "permdownPeriod");
        Objects.requireNonNull(transferTimeout, "transferTimeout");
        Objects.requireNonNull(countingMode, "countingMode");
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException("shards must be between 1 and " + MAX_SHARDS + ", was " + shards);
        }
        if (flushWindow.isNegative() || flushWindow.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("flush window must be between 0 and 1s, was " + flushWindow);
        }
        if (maxDeltaSize < 1) {
            throw new IllegalArgumentException("max delta size must be at least 1, was " + maxDeltaSize);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive, was " + heartbeatInterval);
        }
        if (permdownPeriod.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("permdown period (" + permdownPeriod
                    + ") must be longer than the heartbeat interval (" + heartbeatInterval + ")");
        }
        if (transferTimeout.isNegative() || transferTimeout.isZero()) {
            throw new IllegalArgumentException("transfer timeout must be positive, was " + transferTimeout);
        }
        if (historySize < 0) {
            throw new IllegalArgumentException("history size must not be negative, was " + historySize);
        }
        if (transferChunk < 1) {
            throw new IllegalArgumentException("transfer chunk must hold at least 1 entry, was " + transferChunk);
        }
    }

    /**
     * 4 shards; deltas after 2 ms or 1,000 dots; heartbeats every second; 5 min permdown; 5 s transfer
     * timeout; 10,000 dots of history; 5,000 entries per transfer chunk; users counted per connection.
     */
    public static TrackerConfig defaults() {
        return new TrackerConfig(4, Duration.ofMillis(2), 1000, Duration.ofSeconds(1), Duration.ofMinutes(5),
                Duration.ofSeconds(5), 10_000, 5_000, CountingMode.CONNECTIONS);
    }

    public TrackerConfig withShards(int n) {
        return new TrackerConfig(n, flushWindow, maxDeltaSize, heartbeatInterval, permdownPeriod, transferTimeout,
                historySize, transferChunk, countingMode);
    }

    public TrackerConfig withFlushWindow(Duration d) {
        return new TrackerConfig(shards, d, maxDeltaSize, heartbeatInterval, permdownPeriod, transferTimeout,
                historySize, transferChunk, countingMode);
    }

    public TrackerConfig withMaxDeltaSize(int n) {
        return new TrackerConfig(shards, flushWindow, n, heartbeatInterval, permdownPeriod, transferTimeout,
                historySize, transferChunk, countingMode);
    }

    public TrackerConfig withHeartbeatInterval(Duration d) {
        return new TrackerConfig(shards, flushWindow, maxDeltaSize, d, permdownPeriod, transferTimeout, historySize,
                transferChunk, countingMode);
    }

    public TrackerConfig withPermdownPeriod(Duration d) {
        return new TrackerConfig(shards, flushWindow, maxDeltaSize, heartbeatInterval, d, transferTimeout, historySize,
                transferChunk, countingMode);
    }

    public TrackerConfig withTransferTimeout(Duration d) {
        return new TrackerConfig(shards, flushWindow, maxDeltaSize, heartbeatInterval, permdownPeriod, d, historySize,
                transferChunk, countingMode);
    }

    public TrackerConfig withHistorySize(int n) {
        return new TrackerConfig(shards, flushWindow, maxDeltaSize, heartbeatInterval, permdownPeriod, transferTimeout,
                n, transferChunk, countingMode);
    }

    public TrackerConfig withTransferChunk(int n) {
        return new TrackerConfig(shards, flushWindow, maxDeltaSize, heartbeatInterval, permdownPeriod, transferTimeout,
                historySize, n, countingMode);
    }

    public TrackerConfig withCountingMode(CountingMode m) {
        return new TrackerConfig(shards, flushWindow, maxDeltaSize, heartbeatInterval, permdownPeriod, transferTimeout,
                historySize, transferChunk, m);
    }
}
