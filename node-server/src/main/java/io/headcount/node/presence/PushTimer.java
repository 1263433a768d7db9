package io.headcount.node.presence;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Runs a task once after a delay: the end of a topic's push window. */
@FunctionalInterface
public interface PushTimer {

    void schedule(Runnable task, Duration delay);

    static PushTimer on(ScheduledExecutorService executor) {
        return (task, delay) -> executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
}
