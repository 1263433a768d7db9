package io.headcount.it;

import java.util.ArrayDeque;
import java.util.Deque;

/** What a test started, closed in reverse order after it, each close attempted even if another fails. */
final class Cleanup {

    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    void add(AutoCloseable resource) {
        started.push(resource);
    }

    void closeAll() {
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                // keep cleaning
            }
        }
    }
}
