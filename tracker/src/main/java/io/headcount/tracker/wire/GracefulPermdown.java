package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.ReplicaId;

/** The sender is shutting down on purpose: drop its presences at once instead of waiting. */
public record GracefulPermdown(ReplicaId sender) implements ReplicationMessage {

    @Override
    public int shard() {
        return ALL_SHARDS;
    }
}
