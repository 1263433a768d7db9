package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.ReplicaId;

/**
 * A message between the trackers of two nodes. Each belongs to one shard; the same-numbered shards
 * of all nodes talk only to each other (Phoenix's per-shard pubsub topic), except for
 * {@link GracefulPermdown}, which concerns every shard.
 */
public sealed interface ReplicationMessage
        permits Heartbeat, DeltaBroadcast, TransferRequest, Transfer, GracefulPermdown {

    /** The replica that sent the message. */
    ReplicaId sender();

    /** The shard the message belongs to; {@link #ALL_SHARDS} for messages about the whole node. */
    int shard();

    int ALL_SHARDS = -1;
}
