package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.ReplicaId;

/**
 * Asks a replica for its own state in one shard, because the sender found a gap in what it has seen
 * of it. {@code seenPrefix} is how far the sender's record of the receiver's dots is contiguous.
 */
public record TransferRequest(ReplicaId sender, int shard, long seenPrefix) implements ReplicationMessage {
}
