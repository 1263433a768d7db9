package io.headcount.tracker.replication;

import java.time.Duration;

/**
 * The single thread that owns a shard, and its notion of time. Injected so that a deterministic
 * simulation can run a whole cluster on one thread with a fake clock.
 */
public interface Scheduler {

    /** Runs the task on the owner thread, after every task submitted before it. */
    void execute(Runnable task);

    /** Runs the task on the owner thread after the delay. */
    Cancellable schedule(Duration delay, Runnable task);

    /** A monotonic clock in nanoseconds (never wall-clock time: liveness must not jump with NTP). */
    long nanoTime();

    /**
     * Wall-clock time in milliseconds, comparable across nodes; only for measuring how long changes
     * take to reach other nodes, never for liveness.
     */
    long currentTimeMillis();

    /** A scheduled task that may still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
