package io.headcount.node.phoenix;

/**
 * A text frame that is not a valid Phoenix v2 message. When its {@code ref} and {@code topic} could
 * still be read, the client can be answered with an error reply; otherwise the socket is closed.
 */
public record MalformedFrame(String ref, String topic, String reason) {

    public boolean canBeAnswered() {
        return ref != null && topic != null;
    }
}
