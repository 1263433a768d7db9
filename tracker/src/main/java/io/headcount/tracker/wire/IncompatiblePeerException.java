package io.headcount.tracker.wire;

/**
 * A well-formed message from a peer that cannot be understood or must not be merged: another wire
 * format version (during a rolling upgrade) or another shard count (which would split topics).
 */
public class IncompatiblePeerException extends MalformedMessageException {

    public IncompatiblePeerException(String message) {
        super(message);
    }
}
