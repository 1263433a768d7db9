package io.headcount.bench.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.phoenix.PhoenixFrameDecoder;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.Counts;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The Phoenix v2 frame codec: a client's join decoded, a presence_diff encoded (once per topic flush). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PhoenixFrameBenchmark {

    final ObjectMapper json = new ObjectMapper();
    final PhoenixFrames frames = new PhoenixFrames(json, ByteBufAllocator.DEFAULT);
    final CountChange diff = new CountChange("video:42", new Counts(3, 1), new Counts(1, 0));
    EmbeddedChannel channel;
    ByteBuf join;

    @Setup
    public void setUp() {
        channel = new EmbeddedChannel(new PhoenixFrameDecoder(json));
        join = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
                "[\"3\",\"3\",\"video:42\",\"phx_join\",{}]", StandardCharsets.UTF_8));
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public Object decodeJoin() {
        channel.writeInbound(new TextWebSocketFrame(join.duplicate()));
        return channel.readInbound();
    }

    @Benchmark
    public int encodeDiff() {
        ByteBuf b = frames.presenceDiff(diff);
        int n = b.readableBytes();
        b.release();
        return n;
    }
}
