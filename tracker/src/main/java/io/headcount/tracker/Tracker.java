package io.headcount.tracker;

import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.Presence;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.replication.ClusterStatus;
import io.headcount.tracker.replication.Convergence;
import io.headcount.tracker.replication.ReplicationMetrics;
import io.headcount.tracker.replication.Scheduler;
import io.headcount.tracker.replication.ShardedReplicator;
import io.headcount.tracker.replication.ThreadScheduler;
import io.headcount.tracker.replication.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The presence tracker of one node: the local API over the sharded, replicated presence state.
 *
 * <p>Changes are asynchronous: {@link #track} and {@link #untrack} return at once and take effect on
 * the topic's shard thread, in the order they were called from one thread. Count changes, local and
 * remote, reach the {@link CountsListener}; {@link #counts} reads a topic's current counts in O(1)
 * from any thread.
 */
public final class Tracker implements AutoCloseable {

    private final ReplicaId self;
    private final ShardedReplicator replicator;
    private final List<ThreadScheduler> ownedSchedulers;

    private Tracker(ReplicaId self, ShardedReplicator replicator, List<ThreadScheduler> ownedSchedulers) {
        this.self = self;
        this.replicator = replicator;
        this.ownedSchedulers = ownedSchedulers;
    }

    /** Starts a tracker with one thread per shard and joins the cluster through {@code transport}. */
    public static Tracker start(TrackerConfig config, ReplicaId self, Transport transport, CountsListener listener,
            MeterRegistry registry) throws Exception {
        List<ThreadScheduler> schedulers = new ArrayList<>();
        for (int i = 0; i < config.shards(); i++) {
            schedulers.add(new ThreadScheduler("headcount-shard-" + i));
        }
        try {
            return start(config, self, transport, List.copyOf(schedulers), listener, registry, schedulers);
        } catch (Exception | Error e) {
            schedulers.forEach(ThreadScheduler::close);
            throw e;
        }
    }

    /** Starts a tracker on the given schedulers, one per shard (a simulation passes its own). */
    public static Tracker start(TrackerConfig config, ReplicaId self, Transport transport, List<? extends Scheduler> schedulers,
            CountsListener listener, MeterRegistry registry) throws Exception {
        return start(config, self, transport, schedulers, listener, registry, List.of());
    }

    private static Tracker start(TrackerConfig config, ReplicaId self, Transport transport,
            List<? extends Scheduler> schedulers, CountsListener listener, MeterRegistry registry,
            List<ThreadScheduler> owned) throws Exception {
        Objects.requireNonNull(self, "self");
        ShardedReplicator replicator = new ShardedReplicator(config, self, transport, schedulers, listener,
                new ReplicationMetrics(registry, config.shards()));
        replicator.start();
        return new Tracker(self, replicator, owned);
    }

    public ReplicaId self() {
        return self;
    }

    /** Counts {@code connection} on {@code topic}: as a user if {@code userId} is set, else as a viewer. */
    public void track(String topic, long connection, String userId) {
        replicator.track(new Presence(topic, connection, userId));
    }

    public void untrack(String topic, long connection) {
        replicator.untrack(topic, connection);
    }

    /** Stops counting {@code connection} on every topic, as when its socket closes. */
    public void untrackAll(long connection) {
        replicator.untrackAll(connection);
    }

    /** The topic's counts across the cluster, down replicas excluded. */
    public Counts counts(String topic) {
        return replicator.counts(topic);
    }

    public ClusterStatus status() {
        return replicator.status();
    }

    /** Presences each known replica holds, hidden ones of down replicas included; at most a heartbeat old. */
    public Map<ReplicaId, Integer> presencesByReplica() {
        return replicator.presencesByReplica();
    }

    /** The {@code limit} topics with the highest counts across the cluster, busiest first (linear in topics). */
    public List<TopicCounts> busiestTopics(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        return replicator.busiestTopics(limit);
    }

    /**
     * Tells the tracker how many client connections this node holds; heartbeats announce it to the
     * peers, so that any node can show every node's figure ({@link #connectionsByReplica}).
     */
    public void reportConnections(LongSupplier connections) {
        replicator.reportConnections(connections);
    }

    /** Client connections of this node and of each up peer, as of its last heartbeat (0 if it never reported). */
    public Map<ReplicaId, Long> connectionsByReplica() {
        return replicator.connectionsByReplica();
    }

    /** How long changes of other nodes recently took to be merged here. */
    public Convergence convergence() {
        return replicator.convergence();
    }

    /**
     * Leaves gracefully: sends what is pending, tells peers to purge this node's presences at once,
     * then leaves the cluster and stops the shard threads.
     */
    @Override
    public void close() {
        replicator.stop(Duration.ofSeconds(5));
        for (ThreadScheduler s : ownedSchedulers) {
            s.close();
        }
    }
}
