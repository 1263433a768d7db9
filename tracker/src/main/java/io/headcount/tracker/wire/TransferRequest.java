package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.ReplicaId;

/**
 * Asks a replica for its own state in one shard, because the sender found a gap in what it has seen
 * of it. {@code seenPrefix} is how far the sender's record of the receiver's dots is contiguous: the
 * receiver answers with only the deltas after it when it still has them. {@code requestId} is echoed
 * in the answer, so a late answer to an earlier request is recognised.
 */
public record TransferRequest(ReplicaId sender, int shard, long requestId, long seenPrefix)
        implements ReplicationMessage {
}
