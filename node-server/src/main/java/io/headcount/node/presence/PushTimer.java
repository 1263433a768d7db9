package io.headcount.node.presence;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/** Runs a task once after a delay: the end of a topic's push window. */
@FunctionalInterface
public interface PushTimer {

    void schedule(Runnable task, Duration delay);

    /** A timer on an executor; a task that throws is logged, not swallowed by its future. */
    static PushTimer on(ScheduledExecutorService executor) {
        return (task, delay) -> executor.schedule(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LoggerFactory.getLogger(PushTimer.class).error("count push failed", e);
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
}
