package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.ReplicaId;

/**
 * Sent periodically and whenever the view gains members: the sender's own clock in this shard.
 * A receiver whose record of the sender's dots is behind that clock asks for a transfer, so a lost
 * or early delta is repaired within one heartbeat interval. Also how replicas learn of each other,
 * and how many client connections the sender holds ({@code connections}, for dashboards).
 */
public record Heartbeat(ReplicaId sender, int shard, long clock, long connections) implements ReplicationMessage {
}
