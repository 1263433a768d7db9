package io.headcount.node.config;

/** How a topic's count changes reach its sockets. */
public enum PushMode {
    /** {@code presence_diff} with joins and leaves; the client adds them up (the original front end). */
    DIFF,
    /** {@code presence_state} with the absolute counts; the client replaces what it had. */
    STATE;

    public static PushMode parse(String text) {
        return switch (text) {
            case "diff" -> DIFF;
            case "state" -> STATE;
            default -> throw new IllegalArgumentException("push mode must be 'diff' or 'state', was '" + text + "'");
        };
    }
}
