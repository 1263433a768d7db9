package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.ReplicaId;

/** The changes a shard gathered during one flush window, sent to every member. */
public record DeltaBroadcast(int shard, Delta delta) implements ReplicationMessage {

    @Override
    public ReplicaId sender() {
        return delta.origin();
    }
}
