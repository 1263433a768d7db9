package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.ReplicaId;

/**
 * One piece of the answer to a {@link TransferRequest} (Phoenix's transfer_ack): the sender's own
 * dots and entries in one shard, either the recent deltas the requester missed (one piece) or the
 * full state cut into chunks by ranges of the sender's clock. {@code chunk} numbers the pieces from
 * 0; {@code last} marks the final one.
 *
 * <p>Pieces must be merged in order, each only after all before it: a remove travels with the dot
 * that announced it in a delta, but in a chunked state the removed entry's range and that dot may
 * fall in different chunks. Merging a later chunk without an earlier one could make the receiver's
 * clock look complete while it still holds an entry the sender removed.
 */
public record Transfer(int shard, long requestId, int chunk, boolean last, Delta state) implements ReplicationMessage {

    @Override
    public ReplicaId sender() {
        return state.origin();
    }
}
