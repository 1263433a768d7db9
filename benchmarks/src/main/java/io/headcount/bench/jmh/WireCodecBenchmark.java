package io.headcount.bench.jmh;

import io.headcount.tracker.crdt.PresenceState;
import io.headcount.tracker.wire.DeltaBroadcast;
import io.headcount.tracker.wire.ReplicationMessage;
import io.headcount.tracker.wire.Transfer;
import io.headcount.tracker.wire.WireCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The replication wire codec on a gossip delta of {@code changes} and on a 5,000-entry transfer chunk. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class WireCodecBenchmark {

    private static final long SENT_AT = 1_796_342_400_000L;

    @Param({"10", "1000"})
    public int changes;

    final WireCodec codec = new WireCodec(4);
    DeltaBroadcast gossip;
    byte[] gossipBytes;
    Transfer chunk;
    byte[] chunkBytes;

    @Setup
    public void setUp() {
        PresenceState s = States.withEntries(States.A, 100_000);
        for (long c = 0; c < changes / 2; c++) {
            s.join(States.presence(1_000_000 + c));
            s.leave(States.topic(c), c);
        }
        gossip = new DeltaBroadcast(0, s.takeDelta(), SENT_AT);
        gossipBytes = codec.encode(gossip);
        chunk = new Transfer(0, 1, 0, false, s.extractOwn(5000).get(0));
        chunkBytes = codec.encode(chunk);
    }

    @Benchmark
    public byte[] encodeGossip() {
        return codec.encode(gossip);
    }

    @Benchmark
    public ReplicationMessage decodeGossip() {
        return codec.decode(gossipBytes);
    }

    @Benchmark
    public byte[] encodeTransferChunk() {
        return codec.encode(chunk);
    }

    @Benchmark
    public ReplicationMessage decodeTransferChunk() {
        return codec.decode(chunkBytes);
    }
}
