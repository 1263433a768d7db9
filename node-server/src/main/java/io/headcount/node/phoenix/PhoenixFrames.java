package io.headcount.node.phoenix;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.Counts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Map;

/**
 * Builds the frames the server sends, in the shapes the {@code phoenix} client and the original
 * front end expect (see reference/phoenix-protocol.md).
 */
public final class PhoenixFrames {

    private static final Map<String, Object> EMPTY = Map.of();
    private static final Map<String, Object> AS_USER = Map.of("counted_as", "user");
    private static final Map<String, Object> AS_VIEWER = Map.of("counted_as", "viewer");

    private final ObjectMapper json;
    private final ByteBufAllocator alloc;

    public PhoenixFrames(ObjectMapper json, ByteBufAllocator alloc) {
        this.json = json;
        this.alloc = alloc;
    }

    /** {@code [join_ref, ref, topic, "phx_reply", {"status":"ok","response":{}}]} */
    public TextWebSocketFrame ok(String joinRef, String ref, String topic) {
        return frame(joinRef, ref, topic, PhoenixMessage.REPLY, new Reply("ok", EMPTY));
    }

    /**
     * The reply to a join: {@code [join_ref, ref, topic, "phx_reply", {"status":"ok","response":{"counted_as":"user"}}]}
     * ({@code "viewer"} without a valid token). Only about the joining socket itself, so a front end
     * can tell that its token was refused or has expired.
     */
    public TextWebSocketFrame joined(String joinRef, String ref, String topic, boolean asUser) {
        return frame(joinRef, ref, topic, PhoenixMessage.REPLY, new Reply("ok", asUser ? AS_USER : AS_VIEWER));
    }

    /** {@code [join_ref, ref, topic, "phx_reply", {"status":"error","response":{"reason":reason}}]} */
    public TextWebSocketFrame error(String joinRef, String ref, String topic, String reason) {
        return frame(joinRef, ref, topic, PhoenixMessage.REPLY, new Reply("error", Map.of("reason", reason)));
    }

    /** {@code [join_ref, join_ref, topic, "phx_close", {}]}: the channel of that join is closed for good. */
    public TextWebSocketFrame close(String joinRef, String topic) {
        return frame(joinRef, joinRef, topic, PhoenixMessage.CLOSE, EMPTY);
    }

    /** A push to one channel: {@code [join_ref, null, topic, "presence_state", {"viewers":{"count":V},"users":{"count":U}}]} */
    public TextWebSocketFrame presenceState(String joinRef, String topic, Counts counts) {
        return frame(joinRef, null, topic, PhoenixMessage.PRESENCE_STATE, CountsPayload.of(counts));
    }

    /** The state push mode's broadcast, encoded once: {@code [null, null, topic, "presence_state", {...counts}]}. */
    public ByteBuf presenceStateBroadcast(String topic, Counts counts) {
        return encode(null, null, topic, PhoenixMessage.PRESENCE_STATE, CountsPayload.of(counts));
    }

    /**
     * A broadcast to every channel of a topic, encoded once:
     * {@code [null, null, topic, "presence_diff", {"joins":{...},"leaves":{...}}]} with all four counts.
     */
    public ByteBuf presenceDiff(CountChange change) {
        return encode(null, null, change.topic(), PhoenixMessage.PRESENCE_DIFF,
                new DiffPayload(CountsPayload.of(change.joins()), CountsPayload.of(change.leaves())));
    }

    private TextWebSocketFrame frame(String joinRef, String ref, String topic, String event, Object payload) {
        return new TextWebSocketFrame(encode(joinRef, ref, topic, event, payload));
    }

    private ByteBuf encode(String joinRef, String ref, String topic, String event, Object payload) {
        ByteBuf buf = alloc.buffer(96 + topic.length());
        try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
            json.writeValue((java.io.OutputStream) out, Arrays.asList(joinRef, ref, topic, event, payload));
            return buf;
        } catch (IOException e) {
            buf.release();
            throw new UncheckedIOException(e);
        }
    }

    record Reply(String status, Object response) {
    }

    record Count(long count) {
    }

    /** {@code {"viewers":{"count":V},"users":{"count":U}}}: numbers only, never who. */
    record CountsPayload(Count viewers, Count users) {
        static CountsPayload of(Counts c) {
            return new CountsPayload(new Count(c.viewers()), new Count(c.users()));
        }
    }

    record DiffPayload(CountsPayload joins, CountsPayload leaves) {
    }
}
