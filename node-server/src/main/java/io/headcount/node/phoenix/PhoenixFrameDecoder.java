package io.headcount.node.phoenix;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.IOException;
import java.util.List;

/**
 * Turns text frames into {@link PhoenixMessage}s, or into {@link MalformedFrame}s that say why not.
 * Frames of other types never reach it (the protocol handler before it answers pings and closes,
 * and binary frames are refused earlier).
 */
@ChannelHandler.Sharable
public final class PhoenixFrameDecoder extends MessageToMessageDecoder<TextWebSocketFrame> {

    private final ObjectMapper json;

    public PhoenixFrameDecoder(ObjectMapper json) {
        super(TextWebSocketFrame.class);
        this.json = json;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, TextWebSocketFrame frame, List<Object> out) {
        out.add(decode(frame));
    }

    Object decode(TextWebSocketFrame frame) {
        JsonNode tree;
        try (ByteBufInputStream in = new ByteBufInputStream(frame.content())) {
            tree = json.readTree(in);
        } catch (JsonProcessingException e) {
            return new MalformedFrame(null, null, "invalid JSON");
        } catch (IOException e) {
            return new MalformedFrame(null, null, "unreadable frame");
        }
        if (tree == null || !tree.isArray()) {
            return new MalformedFrame(null, null, "a message is a JSON array [join_ref, ref, topic, event, payload]");
        }
        String ref = tree.size() > 1 && tree.get(1).isTextual() ? tree.get(1).asText() : null;
        String topic = tree.size() > 2 && tree.get(2).isTextual() ? tree.get(2).asText() : null;
        if (tree.size() != 5) {
            return new MalformedFrame(ref, topic, "malformed message");
        }
        JsonNode joinRef = tree.get(0);
        JsonNode refNode = tree.get(1);
        JsonNode event = tree.get(3);
        JsonNode payload = tree.get(4);
        boolean refsOk = (joinRef.isNull() || joinRef.isTextual()) && (refNode.isNull() || refNode.isTextual());
        if (!refsOk || topic == null || !event.isTextual() || !payload.isObject()) {
            return new MalformedFrame(ref, topic, "malformed message");
        }
        return new PhoenixMessage(joinRef.isNull() ? null : joinRef.asText(), ref, topic, event.asText(),
                (ObjectNode) payload);
    }
}
