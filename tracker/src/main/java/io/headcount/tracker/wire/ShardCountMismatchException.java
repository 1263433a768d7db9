package io.headcount.tracker.wire;

/** A peer runs another number of shards: its topics would land in other shards, so nothing can be merged. */
public class ShardCountMismatchException extends IncompatiblePeerException {

    private final int theirs;
    private final int ours;

    public ShardCountMismatchException(int theirs, int ours) {
        super("peer runs " + theirs + " shards, this node " + ours + ": every node must use the same shard count");
        this.theirs = theirs;
        this.ours = ours;
    }

    public int theirs() {
        return theirs;
    }

    public int ours() {
        return ours;
    }
}
