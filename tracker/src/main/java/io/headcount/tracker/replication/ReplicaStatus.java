package io.headcount.tracker.replication;

/** How a shard regards a replica it knows, from the most settled to the least. */
public enum ReplicaStatus {
    /** This node. */
    SELF,
    /** A member whose entries are counted. */
    UP,
    /** A member again after being down; counted once its state has been transferred. */
    RETURNING,
    /** Left the view; its entries are kept but not counted until it returns or the permdown period ends. */
    DOWN
}
