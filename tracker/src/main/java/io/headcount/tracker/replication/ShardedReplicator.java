package io.headcount.tracker.replication;

import io.headcount.tracker.CountsListener;
import io.headcount.tracker.TopicCounts;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.Presence;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.wire.GracefulPermdown;
import io.headcount.tracker.wire.ReplicationMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes local changes and replication messages to the shard that owns a topic, each onto that
 * shard's own thread. Topics are hashed with {@link String#hashCode()}, which the language defines,
 * so every node agrees on a topic's shard.
 */
public final class ShardedReplicator implements Transport.Receiver {

    private static final Logger log = LoggerFactory.getLogger(ShardedReplicator.class);

    private final ReplicaId self;
    private final Transport transport;
    private final Shard[] shards;
    private final ReplicationMetrics metrics;
    private volatile LongSupplier connections = () -> 0;

    public ShardedReplicator(TrackerConfig config, ReplicaId self, Transport transport,
            List<? extends Scheduler> schedulers, CountsListener listener, ReplicationMetrics metrics) {
        if (schedulers.size() != config.shards()) {
            throw new IllegalArgumentException("need one scheduler per shard: " + config.shards() + " shards, "
                    + schedulers.size() + " schedulers");
        }
        this.self = self;
        this.transport = transport;
        this.shards = new Shard[config.shards()];
        for (int i = 0; i < shards.length; i++) {
            shards[i] = new Shard(i, config, self, schedulers.get(i), transport, listener, metrics,
                    () -> connections.getAsLong());
        }
        metrics.bindReplicaStates(this::replicasByStatus);
        this.metrics = metrics;
    }

    /** Each known replica counted once, in its least settled state across shards (DOWN, then RETURNING). */
    private Map<ReplicaStatus, Integer> replicasByStatus() {
        Map<ReplicaId, ReplicaStatus> worst = new HashMap<>();
        for (Shard shard : shards) {
            shard.replicaStatuses().forEach((r, s) -> worst.merge(r, s, (a, b) -> a.compareTo(b) >= 0 ? a : b));
        }
        Map<ReplicaStatus, Integer> counts = new EnumMap<>(ReplicaStatus.class);
        worst.values().forEach(s -> counts.merge(s, 1, Integer::sum));
        return counts;
    }

    public void start() throws Exception {
        transport.start(this);
        for (Shard shard : shards) {
            shard.scheduler().execute(shard::start);
        }
    }

    public void track(Presence presence) {
        Shard shard = shardOf(presence.topic());
        shard.scheduler().execute(() -> shard.track(presence));
    }

    public void untrack(String topic, long connection) {
        Shard shard = shardOf(topic);
        shard.scheduler().execute(() -> shard.untrack(topic, connection));
    }

    public void untrackAll(long connection) {
        for (Shard shard : shards) {
            shard.scheduler().execute(() -> shard.untrackAll(connection));
        }
    }

    public Counts counts(String topic) {
        return shardOf(topic).counts(topic);
    }

    /** Stored presences per known replica, summed over shards (as of each shard's last tick, at most a heartbeat old). */
    public Map<ReplicaId, Integer> presencesByReplica() {
        Map<ReplicaId, Integer> sum = new HashMap<>();
        for (Shard shard : shards) {
            shard.presencesByReplica().forEach((r, n) -> sum.merge(r, n, Integer::sum));
        }
        return sum;
    }

    /** Where heartbeats read this node's client connections from. */
    public void reportConnections(LongSupplier connections) {
        this.connections = Objects.requireNonNull(connections, "connections");
    }

    /**
     * Client connections: this node's now, each up peer's as its last heartbeat in shard 0 announced
     * it (every shard carries the same figure; one is enough). Down peers are left out.
     */
    public Map<ReplicaId, Long> connectionsByReplica() {
        Map<ReplicaId, Long> byReplica = new HashMap<>(shards[0].connectionsByReplica());
        byReplica.put(self, connections.getAsLong());
        return byReplica;
    }

    /** The {@code limit} topics with the highest counts, busiest first. */
    public List<TopicCounts> busiestTopics(int limit) {
        PriorityQueue<TopicCounts> kept = new PriorityQueue<>(TopicCounts.BUSIEST_FIRST.reversed());
        for (Shard shard : shards) {
            shard.forEachCount((topic, counts) -> {
                kept.add(new TopicCounts(topic, counts));
                if (kept.size() > limit) {
                    kept.poll(); // the least busy of those kept
                }
            });
        }
        List<TopicCounts> busiest = new ArrayList<>(kept);
        busiest.sort(TopicCounts.BUSIEST_FIRST);
        return busiest;
    }

    public Convergence convergence() {
        return metrics.convergence();
    }

    public ClusterStatus status() {
        List<Map<ReplicaId, ReplicaStatus>> perShard = new ArrayList<>(shards.length);
        for (Shard shard : shards) {
            perShard.add(shard.replicaStatuses());
        }
        return new ClusterStatus(self, transport.members(), perShard, transport.incompatibility());
    }

    /**
     * Stops every shard (each sends what is pending), then tells the peers to purge this node and
     * leaves the cluster. Completes when the transport is closed.
     */
    public CompletableFuture<Void> stopAsync() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicInteger running = new AtomicInteger(shards.length);
        for (Shard shard : shards) {
            shard.scheduler().execute(() -> {
                shard.stop();
                if (running.decrementAndGet() == 0) {
                    try {
                        transport.broadcast(new GracefulPermdown(self));
                        transport.close();
                    } finally {
                        done.complete(null);
                    }
                }
            });
        }
        return done;
    }

    /** {@link #stopAsync()}, waiting at most {@code wait}; closes the transport anyway if the shards do not answer. */
    public void stop(Duration wait) {
        try {
            stopAsync().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            transport.close();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("graceful stop did not complete ({}), leaving the cluster anyway", e.toString());
            transport.close();
        }
    }

    // ---------------------------------------------------------------- Transport.Receiver

    @Override
    public void onMessage(ReplicationMessage message) {
        if (message.shard() == ReplicationMessage.ALL_SHARDS) {
            log.info("{} is shutting down gracefully: purging its presences", message.sender());
            for (Shard shard : shards) {
                shard.scheduler().execute(() -> shard.receive(message));
            }
        } else {
            Shard shard = shards[message.shard()];
            shard.scheduler().execute(() -> shard.receive(message));
        }
    }

    @Override
    public void onMembersLeft(Set<ReplicaId> replicas) {
        log.info("{} left the view: hiding their presences", replicas);
        Set<ReplicaId> copy = sorted(replicas);
        for (Shard shard : shards) {
            shard.scheduler().execute(() -> shard.onMembersLeft(copy));
        }
    }

    @Override
    public void onMembersSuspected(Set<ReplicaId> replicas) {
        log.info("{} suspected dead: hiding their presences until they prove otherwise", replicas);
        Set<ReplicaId> copy = sorted(replicas);
        for (Shard shard : shards) {
            shard.scheduler().execute(() -> shard.onMembersLeft(copy));
        }
    }

    @Override
    public void onMembersJoined() {
        for (Shard shard : shards) {
            shard.scheduler().execute(shard::onMembersJoined);
        }
    }

    /** An unmodifiable copy in a fixed order, so that a simulation replays identically. */
    private static Set<ReplicaId> sorted(Set<ReplicaId> replicas) {
        return java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(replicas));
    }

    private Shard shardOf(String topic) {
        return shards[Math.floorMod(topic.hashCode(), shards.length)];
    }
}
