package io.headcount.tracker.crdt;

import java.util.Objects;

/**
 * One life of one node: its name plus an incarnation that is new at every process start.
 *
 * <p>A restarted node is therefore a new replica; peers that see the new incarnation purge the old
 * one's entries at once instead of waiting for them to time out (Phoenix's {@code {name, vsn}}).
 */
public record ReplicaId(String node, long incarnation) implements Comparable<ReplicaId> {

    public ReplicaId {
        Objects.requireNonNull(node, "node");
        if (node.isEmpty()) {
            throw new IllegalArgumentException("a replica's node name must not be empty");
        }
        Text.requireWellFormed(node, "node name");
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnations are not negative, was " + incarnation);
        }
    }

    /** True when {@code other} is a later life of the same node. */
    public boolean isSucceededBy(ReplicaId other) {
        return node.equals(other.node) && other.incarnation > incarnation;
    }

    @Override
    public int compareTo(ReplicaId o) {
        int byNode = node.compareTo(o.node);
        return byNode != 0 ? byNode : Long.compare(incarnation, o.incarnation);
    }

    @Override
    public String toString() {
        return node + "#" + Long.toHexString(incarnation);
    }
}
