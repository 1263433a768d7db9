package io.headcount.bench.jmh;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.PresenceState;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Delta extraction: a replica's whole state in transfer chunks of 5,000 entries. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ExtractBenchmark {

    @Param({"1000", "100000"})
    public int entries;

    PresenceState state;

    @Setup
    public void setUp() {
        state = States.withEntries(States.A, entries);
    }

    @Benchmark
    public List<Delta> extractInChunks() {
        return state.extractOwn(5000);
    }
}
