package io.headcount.bench.jmh;

import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.CountTable;
import io.headcount.tracker.crdt.CountingMode;
import io.headcount.tracker.crdt.PresenceDiff;
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

/** The per-topic count update: one join and one leave applied to a table of {@code topics} topics. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CountTableBenchmark {

    @Param({"1000", "100000"})
    public int topics;

    @Param({"CONNECTIONS", "DISTINCT"})
    public CountingMode mode;

    CountTable table;
    long next;

    @Setup
    public void setUp() {
        table = new CountTable(mode);
        for (long c = 0; c < topics * 3L; c++) {
            table.apply(new PresenceDiff(List.of(presence(c)), List.of()));
        }
        next = topics * 3L;
    }

    private io.headcount.tracker.crdt.Presence presence(long c) {
        return new io.headcount.tracker.crdt.Presence("video:" + (c % topics), c, c % 3 == 0 ? "user-" + c : null);
    }

    @Benchmark
    public List<CountChange> joinAndLeave() {
        long c = next++;
        return table.apply(new PresenceDiff(List.of(presence(c)), List.of(presence(c - topics * 3L))));
    }
}
