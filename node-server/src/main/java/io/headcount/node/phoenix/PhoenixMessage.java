package io.headcount.node.phoenix;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One Phoenix Channels v2 frame, {@code [join_ref, ref, topic, event, payload]}. Refs are opaque
 * strings chosen by the client (or {@code null}) and are echoed unchanged.
 */
public record PhoenixMessage(String joinRef, String ref, String topic, String event, ObjectNode payload) {

    public static final String HEARTBEAT = "heartbeat";
    public static final String JOIN = "phx_join";
    public static final String LEAVE = "phx_leave";
    public static final String REPLY = "phx_reply";
    public static final String CLOSE = "phx_close";
    public static final String PRESENCE_STATE = "presence_state";
    public static final String PRESENCE_DIFF = "presence_diff";
    /** The topic of socket-level messages such as heartbeats. */
    public static final String SOCKET_TOPIC = "phoenix";

    public PhoenixMessage {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(payload, "payload");
    }
}
