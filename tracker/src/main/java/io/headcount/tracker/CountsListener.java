package io.headcount.tracker;

import io.headcount.tracker.crdt.CountChange;
import java.util.List;

/**
 * Receives every change of every topic's counts, in order per topic. Called on the thread of the
 * topic's shard: implementations must be quick and must not block.
 */
@FunctionalInterface
public interface CountsListener {

    void onCountChanges(List<CountChange> changes);

    CountsListener NONE = changes -> { };
}
