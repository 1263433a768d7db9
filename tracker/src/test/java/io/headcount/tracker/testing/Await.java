package io.headcount.tracker.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, polling; never a fixed sleep. */
public final class Await {

    private Await() {
    }

    /** Waits until {@code condition} holds; fails with {@code description} after {@code max}. Returns the wait. */
    public static Duration until(Duration max, BooleanSupplier condition, Supplier<String> description) {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + max + ": " + description.get());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
