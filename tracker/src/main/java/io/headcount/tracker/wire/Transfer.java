package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.ReplicaId;

/**
 * One piece of the answer to a {@link TransferRequest} (Phoenix's transfer_ack): the sender's own
 * dots and entries in one shard, either the recent deltas the requester missed or the full state
 * cut into chunks. Every piece can be merged on its own; {@code last} marks the end of the answer.
 */
public record Transfer(int shard, long requestId, boolean last, Delta state) implements ReplicationMessage {

    @Override
    public ReplicaId sender() {
        return state.origin();
    }
}
