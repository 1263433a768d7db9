package io.headcount.node.phoenix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import org.junit.jupiter.api.Test;

class PhoenixFrameDecoderTest {

    final EmbeddedChannel channel = new EmbeddedChannel(new PhoenixFrameDecoder(new ObjectMapper()));

    Object decode(String text) {
        channel.writeInbound(new TextWebSocketFrame(text));
        return channel.readInbound();
    }

    @Test
    void aJoinFrameDecodesWithItsRefs() {
        PhoenixMessage m = (PhoenixMessage) decode("[\"7\",\"7\",\"video:42\",\"phx_join\",{}]");
        assertEquals("7", m.joinRef());
        assertEquals("7", m.ref());
        assertEquals("video:42", m.topic());
        assertEquals("phx_join", m.event());
    }

    @Test
    void aHeartbeatHasNoJoinRef() {
        PhoenixMessage m = (PhoenixMessage) decode("[null,\"14\",\"phoenix\",\"heartbeat\",{}]");
        assertNull(m.joinRef());
        assertEquals("14", m.ref());
    }

    @Test
    void badJsonCannotBeAnswered() {
        for (String text : new String[] {"[\"1\",\"1\",\"video:42\",\"phx_join\",", "hello", "", "{\"topic\":\"x\"}", "42"}) {
            MalformedFrame bad = assertInstanceOf(MalformedFrame.class, decode(text), text);
            assertFalse(bad.canBeAnswered(), text);
        }
    }

    @Test
    void wrongShapesWithAReadableRefAndTopicAreAnswered() {
        for (String text : new String[] {
                "[\"1\",\"1\",\"video:42\",\"phx_join\"]",
                "[\"1\",\"1\",\"video:42\",\"phx_join\",{},6]",
                "[\"1\",\"1\",\"video:42\",\"phx_join\",[]]",
                "[\"1\",\"1\",\"video:42\",7,{}]",
                "[5,\"1\",\"video:42\",\"phx_join\",{}]"}) {
            MalformedFrame bad = assertInstanceOf(MalformedFrame.class, decode(text), text);
            assertTrue(bad.canBeAnswered(), text);
            assertEquals("malformed message", bad.reason());
        }
    }

    @Test
    void aNumericRefOrNullTopicCannotBeAnswered() {
        assertFalse(((MalformedFrame) decode("[\"1\",1,\"video:42\",\"phx_join\",{}]")).canBeAnswered());
        assertFalse(((MalformedFrame) decode("[\"1\",\"1\",null,\"phx_join\",{}]")).canBeAnswered());
    }
}
