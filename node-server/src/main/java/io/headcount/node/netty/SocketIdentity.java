package io.headcount.node.netty;

import io.netty.util.AttributeKey;

/**
 * Who a WebSocket is, decided once at the upgrade: a node-local connection number and the user id
 * of a valid token, or {@code null} for an anonymous viewer.
 */
public record SocketIdentity(long connection, String userId) {

    static final AttributeKey<SocketIdentity> KEY = AttributeKey.valueOf(SocketIdentity.class, "identity");
}
