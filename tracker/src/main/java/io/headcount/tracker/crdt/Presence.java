package io.headcount.tracker.crdt;

import java.util.Objects;

/**
 * One connection present on one topic: Phoenix's {@code (topic, pid, key) -> meta} entry.
 *
 * <p>The key is derived: a presence without a user id is counted under {@code viewers}, one with a
 * user id under {@code users}. The connection number is unique only within the replica that owns
 * the presence; the owner's replica id (in the entry's dot) makes it global.
 *
 * @param userId the authenticated user, or {@code null} for an anonymous viewer
 */
public record Presence(String topic, long connection, String userId) {

    public Presence {
        Text.requireWellFormed(Objects.requireNonNull(topic, "topic"), "topic");
        if (userId != null) {
            Text.requireWellFormed(userId, "user id");
        }
        if (connection < 0) {
            throw new IllegalArgumentException("connection numbers are not negative, was " + connection);
        }
    }

    public static Presence viewer(String topic, long connection) {
        return new Presence(topic, connection, null);
    }

    public static Presence user(String topic, long connection, String userId) {
        return new Presence(topic, connection, Objects.requireNonNull(userId, "userId"));
    }

    public boolean isUser() {
        return userId != null;
    }
}
