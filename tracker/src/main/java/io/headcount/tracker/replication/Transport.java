package io.headcount.tracker.replication;

import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.wire.ReplicationMessage;
import java.util.List;
import java.util.Set;

/**
 * How replication messages reach other nodes, and who those nodes are. The JGroups implementation
 * is the only code that touches JGroups; tests use an in-memory network.
 *
 * <p>Delivery expected of an implementation: messages from one sender arrive in the order sent, and
 * a member's messages stop once it has left the view. Loss, duplication and reordering across senders
 * are tolerated by the CRDT.
 */
public interface Transport extends AutoCloseable {

    /** Joins the cluster and starts delivering to {@code receiver}. */
    void start(Receiver receiver) throws Exception;

    /** Sends to every other member. */
    void broadcast(ReplicationMessage message);

    /** Sends to the member that runs {@code replica}; dropped if it is not a member. */
    void send(ReplicaId replica, ReplicationMessage message);

    /** True while the member that runs {@code replica} is in this node's view. */
    boolean isMember(ReplicaId replica);

    /** Names of the members of the current view, this node included. */
    List<String> members();

    /**
     * Why this node cannot take part in the cluster (it disagrees with the cluster on something that
     * must be equal everywhere, such as the shard count), or {@code null} when it can.
     */
    default String incompatibility() {
        return null;
    }

    /** Leaves the cluster; no message is delivered afterwards. */
    @Override
    void close();

    /** What the transport reports to the tracker. Calls must return quickly. */
    interface Receiver {

        void onMessage(ReplicationMessage message);

        /** These replicas' members left the view (crashed, partitioned away, or shut down). */
        void onMembersLeft(Set<ReplicaId> replicas);

        /**
         * These replicas' members are suspected dead but still in the view; their presences may be
         * hidden at once. If the suspicion was wrong they keep talking, and are taken back as from a
         * healed partition.
         */
        void onMembersSuspected(Set<ReplicaId> replicas);

        /** Members joined the view (a new node or a healed partition). */
        void onMembersJoined();
    }
}
