package io.headcount.tracker.replication;

import io.headcount.tracker.crdt.ReplicaId;
import java.util.List;
import java.util.Map;

/**
 * What a node knows of the cluster: the members of its view, per shard how it regards each replica
 * it knows, and why it cannot take part in the cluster ({@code incompatibility}, normally null).
 */
public record ClusterStatus(ReplicaId self, List<String> members, List<Map<ReplicaId, ReplicaStatus>> shards,
        String incompatibility) {

    public ClusterStatus {
        members = List.copyOf(members);
        shards = List.copyOf(shards);
    }
}
