package io.headcount.tracker.replication;

import io.headcount.tracker.crdt.Delta;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/** Counters of the replication engine, shared by all shards of a node (Micrometer meters are thread-safe). */
public final class ReplicationMetrics {

    private final Counter deltasSent;
    private final Counter deltasReceived;
    private final Counter deltaEntriesSent;
    private final Counter transferRequests;
    private final Counter windowTransfersSent;
    private final Counter fullTransfersSent;
    private final Counter transferChunksSent;
    private final Counter transfersReceived;
    private final Counter transferPiecesDropped;
    private final AtomicLongArray entriesPerShard;
    private final Timer mergeTime;
    private final Timer flushTime;
    private final Timer convergence;
    /** The shortest span the convergence window covers: a sample this recent is in it. */
    private static final Duration RECENT = Duration.ofSeconds(5);
    private volatile long lastConvergenceNanos;
    private final MeterRegistry registry;

    public ReplicationMetrics(MeterRegistry registry, int shards) {
        this.registry = registry;
        mergeTime = Timer.builder("headcount.replication.merge")
                .description("Time to merge a received delta or transfer piece and apply its count changes")
                .register(registry);
        flushTime = Timer.builder("headcount.replication.flush")
                .description("Time to take the pending delta and hand it to the transport").register(registry);
        // Client-side percentiles over a sliding window (5-10 s: two 5 s buffers), so the dashboard reads
        // the recent figure; the 1.0 percentile is the maximum of the same window.
        convergence = Timer.builder("headcount.replication.convergence")
                .description("From the oldest change of a delta on its origin node to its merge here (wall clocks)")
                .publishPercentiles(0.5, 0.99, 1.0)
                .distributionStatisticExpiry(RECENT.multipliedBy(2))
                .distributionStatisticBufferLength(2)
                .register(registry);
        deltasSent = Counter.builder("headcount.replication.deltas").tag("direction", "sent")
                .description("Deltas broadcast after a flush window").register(registry);
        deltasReceived = Counter.builder("headcount.replication.deltas").tag("direction", "received")
                .description("Deltas merged from peers").register(registry);
        deltaEntriesSent = Counter.builder("headcount.replication.delta.entries").tag("direction", "sent")
                .description("Joins carried by broadcast deltas").register(registry);
        transferRequests = Counter.builder("headcount.replication.transfers").tag("kind", "requested")
                .description("Transfer requests sent after finding a gap").register(registry);
        windowTransfersSent = Counter.builder("headcount.replication.transfers").tag("kind", "sent_window")
                .description("Transfers answered with the recent deltas a peer missed").register(registry);
        fullTransfersSent = Counter.builder("headcount.replication.transfers").tag("kind", "sent_full")
                .description("Transfers answered with the full state").register(registry);
        transferChunksSent = Counter.builder("headcount.replication.transfer.chunks")
                .description("Messages of full-state transfers").register(registry);
        transfersReceived = Counter.builder("headcount.replication.transfers").tag("kind", "received")
                .description("Transfer pieces merged").register(registry);
        transferPiecesDropped = Counter.builder("headcount.replication.transfers").tag("kind", "dropped")
                .description("Transfer pieces dropped: answers to an older request, or after a lost piece")
                .register(registry);
        entriesPerShard = new AtomicLongArray(shards);
        Gauge.builder("headcount.tracker.entries", entriesPerShard, ReplicationMetrics::sum)
                .description("Presence entries stored on this node, hidden ones of down replicas included")
                .register(registry);
    }

    void deltaSent(Delta delta) {
        deltasSent.increment();
        deltaEntriesSent.increment(delta.entryCount());
    }

    void deltaReceived() {
        deltasReceived.increment();
    }

    void transferRequested() {
        transferRequests.increment();
    }

    void transferSent(String kind, int chunks) {
        (kind.equals("window") ? windowTransfersSent : fullTransfersSent).increment();
        transferChunksSent.increment(chunks);
    }

    void transferReceived() {
        transfersReceived.increment();
    }

    void transferPieceDropped() {
        transferPiecesDropped.increment();
    }

    void entries(int shard, long n) {
        entriesPerShard.set(shard, n);
    }

    void merged(long nanos) {
        mergeTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A delta merged {@code millis} after its oldest change; negative when wall clocks disagree, counted as 0. */
    void converged(long millis) {
        convergence.record(Math.max(millis, 0), TimeUnit.MILLISECONDS);
        lastConvergenceNanos = System.nanoTime(); // the clock of Micrometer's window
    }

    /**
     * The recent convergence latencies: p50, p99 and maximum over the last 5-10 s, all NaN when no
     * delta was merged in the last 5 s (the window would show zeros); the sample count since start.
     */
    public Convergence convergence() {
        HistogramSnapshot s = convergence.takeSnapshot();
        if (s.count() == 0 || System.nanoTime() - lastConvergenceNanos > RECENT.toNanos()) {
            return new Convergence(s.count(), Double.NaN, Double.NaN, Double.NaN);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        double max = Double.NaN;
        for (ValueAtPercentile v : s.percentileValues()) {
            double millis = v.value(TimeUnit.MILLISECONDS);
            if (v.percentile() == 0.5) {
                p50 = millis;
            } else if (v.percentile() == 0.99) {
                p99 = millis;
            } else if (v.percentile() == 1.0) {
                max = millis;
            }
        }
        return new Convergence(s.count(), p50, p99, max);
    }

    void flushed(long nanos) {
        flushTime.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Gauges of how many known replicas are up, down or returning, read from {@code statuses} on scrape. */
    void bindReplicaStates(Supplier<Map<ReplicaStatus, Integer>> statuses) {
        for (ReplicaStatus s : ReplicaStatus.values()) {
            if (s != ReplicaStatus.SELF) {
                Gauge.builder("headcount.replication.replicas", statuses, m -> m.get().getOrDefault(s, 0))
                        .tag("status", s.name().toLowerCase())
                        .description("Known peer replicas by state").register(registry);
            }
        }
    }

    private static double sum(AtomicLongArray a) {
        long n = 0;
        for (int i = 0; i < a.length(); i++) {
            n += a.get(i);
        }
        return n;
    }
}
