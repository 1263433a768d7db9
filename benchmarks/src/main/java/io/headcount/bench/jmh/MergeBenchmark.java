package io.headcount.bench.jmh;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.PresenceDiff;
import io.headcount.tracker.crdt.PresenceState;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Merging deltas: a gossip-sized one into a large state, and a whole large state into an empty one. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MergeBenchmark {

    @Param({"1000", "100000"})
    public int entries;

    @Param({"10"})
    public int changes;

    PresenceState origin;
    PresenceState replica;
    long next;
    Delta full;
    PresenceState empty;

    @Setup(Level.Trial)
    public void setUp() {
        origin = States.withEntries(States.A, entries);
        replica = States.replicaOf(origin, States.B);
        next = entries;
        full = origin.extractOwn();
    }

    @Setup(Level.Invocation)
    public void freshReplica() {
        empty = new PresenceState(States.B);
        empty.replicaUp(States.A);
    }

    /**
     * One gossip round: the origin joins and leaves {@code changes} presences (its state keeps its
     * size), takes the delta, and the replica merges it.
     */
    @Benchmark
    public PresenceDiff smallDeltaIntoLargeState() {
        for (int i = 0; i < changes / 2; i++) {
            long c = next++;
            origin.join(States.presence(c));
            origin.leave(States.topic(c - entries), c - entries);
        }
        return replica.merge(origin.takeDelta());
    }

    /** A whole state of {@code entries} merged into a replica that knows nothing yet (a new node). */
    @Benchmark
    public PresenceDiff largeStateIntoEmptyState() {
        return empty.merge(full);
    }
}
