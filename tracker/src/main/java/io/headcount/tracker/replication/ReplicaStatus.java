package io.headcount.tracker.replication;

/** How a shard regards a replica it knows. */
public enum ReplicaStatus {
    /** This node. */
    SELF,
    /** A member whose entries are counted. */
    UP,
    /** Left the view; its entries are kept but not counted until it returns or the permdown period ends. */
    DOWN,
    /** A member again after being down; counted once its state has been transferred. */
    RETURNING
}
