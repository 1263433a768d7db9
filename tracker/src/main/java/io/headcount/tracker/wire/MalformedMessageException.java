package io.headcount.tracker.wire;

/** A replication message that cannot be decoded: truncated, corrupt, or of an unknown kind. */
public class MalformedMessageException extends RuntimeException {

    public MalformedMessageException(String message) {
        super(message);
    }
}
