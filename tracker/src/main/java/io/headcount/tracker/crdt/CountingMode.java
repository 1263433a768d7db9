package io.headcount.tracker.crdt;

/** How {@code users} are counted. {@code viewers} always count connections. */
public enum CountingMode {
    /** One per logged-in connection, as the original front end counted sockets. */
    CONNECTIONS,
    /** One per user id, however many tabs and nodes it is connected through. */
    DISTINCT
}
