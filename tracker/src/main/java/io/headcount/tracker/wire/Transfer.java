package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.ReplicaId;

/** The answer to a {@link TransferRequest}: the sender's own dots and entries in one shard (Phoenix's transfer_ack). */
public record Transfer(int shard, Delta state) implements ReplicationMessage {

    @Override
    public ReplicaId sender() {
        return state.origin();
    }
}
