package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.ReplicaId;

/**
 * The changes a shard gathered during one flush window, sent to every member, with the wall-clock
 * time of the oldest of them ({@code firstChangeMillis}), from which receivers measure convergence.
 */
public record DeltaBroadcast(int shard, Delta delta, long firstChangeMillis) implements ReplicationMessage {

    @Override
    public ReplicaId sender() {
        return delta.origin();
    }
}
