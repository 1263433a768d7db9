package io.headcount.tracker.testing;

import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.replication.ReplicationMetrics;
import io.headcount.tracker.replication.Scheduler;
import io.headcount.tracker.replication.ShardedReplicator;
import io.headcount.tracker.replication.Transport;
import io.headcount.tracker.wire.ReplicationMessage;
import io.headcount.tracker.wire.WireCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * A whole cluster of trackers on one thread with a fake clock, driven by a seeded random scheduler:
 * every shard thread, timer, message and view change is an event in one queue, so a run is fully
 * determined by its seed.
 *
 * <p>The network delivers each message after a random delay (so messages from different senders,
 * and with {@link Faults#fifo} off even from one sender, arrive reordered), and may drop or duplicate
 * it. Views are installed at each node after a random detection delay. Nodes can be crashed (no
 * goodbye), stopped gracefully, restarted as a new incarnation, and partitioned.
 *
 * <p>Every message goes through {@link WireCodec}, so the codec is exercised too.
 */
public final class SimulatedCluster {

    /** How hostile the network is. */
    public record Faults(double dropRate, double duplicateRate, Duration maxDelay, Duration maxViewDelay,
            Duration maxHandoff, boolean fifo) {

        /** What JGroups promises within a view: no loss, no duplicates, FIFO per sender. */
        public static Faults reliable() {
            return new Faults(0, 0, Duration.ofMillis(2), Duration.ofMillis(50), Duration.ZERO, true);
        }

        /** Loss, duplicates, reordering and late hand-over on top. */
        public static Faults hostile() {
            return new Faults(0.05, 0.05, Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(5), false);
        }
    }

    private final long seed;
    private final Random random;
    private final TrackerConfig config;
    private final Faults faults;
    private final WireCodec codec;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    /** Partition groups: nodes in different groups cannot reach each other. Empty means fully connected. */
    private final List<Set<String>> partitions = new ArrayList<>();
    /** Targeted loss: messages (to a node name) matching this are dropped while it is set. */
    private java.util.function.BiPredicate<String, ReplicationMessage> dropping = (to, m) -> false;
    /** Counts that went negative as a client applying the diffs would see them; must stay empty. */
    private final List<String> violations = new ArrayList<>();
    private long now;
    private long sequence;
    private long topologyVersion;
    private long incarnations;

    public SimulatedCluster(long seed, TrackerConfig config, Faults faults) {
        this.seed = seed;
        this.random = new Random(seed);
        this.config = config;
        this.faults = faults;
        this.codec = new WireCodec(config.shards());
    }

    public long seed() {
        return seed;
    }

    public Random random() {
        return random;
    }

    public long nowNanos() {
        return now;
    }

    // ------------------------------------------------------------------ topology

    /** Starts a node (a new incarnation if the name was used before) and returns it. */
    public Node start(String name) {
        Node previous = nodes.get(name);
        if (previous != null && previous.alive) {
            throw new IllegalStateException(name + " is running");
        }
        Node node = new Node(name, new ReplicaId(name, ++incarnations));
        nodes.put(name, node);
        node.boot();
        topologyChanged();
        return node;
    }

    /** Kills a node: no graceful permdown, its pending events vanish, peers see it leave the view. */
    public void crash(String name) {
        Node node = live(name);
        node.alive = false;
        topologyChanged();
    }

    /** Stops a node gracefully; completes as simulated time runs. */
    public void stop(String name) {
        live(name).replicator.stopAsync();
    }

    /**
     * Every other node that sees {@code name} suspects it dead while it is alive and still in the
     * views (a wrong suspicion by failure detection).
     */
    public void falselySuspect(String name) {
        Node suspect = live(name);
        for (Node n : liveNodes()) {
            if (n != suspect && n.transport.isMember(suspect.replica)) {
                n.at(now, () -> n.transport.receiver.onMembersSuspected(Set.of(suspect.replica)));
            }
        }
    }

    /** Drops every message to a node (by name) matching {@code rule}, until {@link #stopDropping()}. */
    public void dropWhere(java.util.function.BiPredicate<String, ReplicationMessage> rule) {
        dropping = rule;
    }

    public void stopDropping() {
        dropping = (to, m) -> false;
    }

    public Node restart(String name) {
        crash(name);
        return start(name);
    }

    /** Splits the cluster: each argument is one side; nodes not named form one more side. */
    @SafeVarargs
    public final void partition(Set<String>... sides) {
        partitions.clear();
        Set<String> rest = new TreeSet<>(nodes.keySet());
        for (Set<String> side : sides) {
            partitions.add(Set.copyOf(side));
            rest.removeAll(side);
        }
        partitions.add(rest);
        topologyChanged();
    }

    public void heal() {
        partitions.clear();
        topologyChanged();
    }

    public Node node(String name) {
        return nodes.get(name);
    }

    public List<Node> liveNodes() {
        return nodes.values().stream().filter(n -> n.alive).toList();
    }

    private Node live(String name) {
        Node node = nodes.get(name);
        if (node == null || !node.alive) {
            throw new IllegalStateException(name + " is not running");
        }
        return node;
    }

    private boolean reachable(String a, String b) {
        if (partitions.isEmpty()) {
            return true;
        }
        for (Set<String> side : partitions) {
            if (side.contains(a)) {
                return side.contains(b);
            }
        }
        return false;
    }

    /** Each live node installs, after its own detection delay, the view of the nodes it can reach. */
    private void topologyChanged() {
        long version = ++topologyVersion;
        for (Node node : liveNodes()) {
            Set<String> view = new TreeSet<>();
            for (Node other : liveNodes()) {
                if (other.transport.started && reachable(node.name, other.name)) {
                    view.add(other.name);
                }
            }
            long delay = node.transport.view.isEmpty() ? 0 : randomNanos(faults.maxViewDelay());
            Map<String, ReplicaId> members = new java.util.TreeMap<>();
            for (String n : view) {
                members.put(n, nodes.get(n).replica);
            }
            node.at(now + delay, () -> node.transport.install(version, members));
        }
    }

    // ------------------------------------------------------------------ time

    /** Runs events until simulated time has advanced by {@code d}. */
    public void run(Duration d) {
        long until = now + d.toNanos();
        while (!queue.isEmpty() && queue.peek().time <= until) {
            Event e = queue.poll();
            now = e.time;
            if (e.owner == null || e.owner.alive) {
                e.task.run();
            }
        }
        now = until;
    }

    /** Runs until the condition holds, checking every 10 simulated ms; false if {@code max} passes first. */
    public boolean runUntil(BooleanSupplier condition, Duration max) {
        long deadline = now + max.toNanos();
        while (!condition.getAsBoolean()) {
            if (now >= deadline) {
                return false;
            }
            run(Duration.ofMillis(10));
        }
        return true;
    }

    private void post(Node owner, long time, Runnable task) {
        queue.add(new Event(time, sequence++, owner, task));
    }

    private long randomNanos(Duration max) {
        long m = max.toNanos();
        return m <= 0 ? 0 : (long) (random.nextDouble() * m);
    }

    private record Event(long time, long seq, Node owner, Runnable task) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    // ------------------------------------------------------------------ checks

    /** What every live node should count for {@code topic}: the presences tracked on live nodes. */
    public Counts truth(String topic) {
        long viewers = 0;
        long users = 0;
        Set<String> distinct = new HashSet<>();
        for (Node n : liveNodes()) {
            for (Map.Entry<Long, String> e : n.tracked.getOrDefault(topic, Map.of()).entrySet()) {
                if (e.getValue() == null) {
                    viewers++;
                } else {
                    users++;
                    distinct.add(e.getValue());
                }
            }
        }
        return new Counts(viewers, switch (config.countingMode()) {
            case CONNECTIONS -> users;
            case DISTINCT -> distinct.size();
        });
    }

    /** Diffs that would have taken a client's counts below zero. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** True when every live node, through its API and through the diffs it emitted, counts the truth. */
    public boolean converged(Collection<String> topics) {
        for (String topic : topics) {
            Counts truth = truth(topic);
            for (Node n : liveNodes()) {
                if (!n.counts(topic).equals(truth) || !n.countsFromDiffs(topic).equals(truth)) {
                    return false;
                }
            }
        }
        return true;
    }

    public String describe(Collection<String> topics) {
        StringBuilder sb = new StringBuilder("seed ").append(seed).append(" at ").append(now / 1_000_000).append(" ms");
        for (String topic : topics) {
            sb.append("\n  ").append(topic).append(" truth ").append(truth(topic));
            for (Node n : liveNodes()) {
                sb.append("\n    ").append(n.replica).append(" api ").append(n.counts(topic))
                        .append(" diffs ").append(n.countsFromDiffs(topic))
                        .append(" view ").append(n.transport.view.keySet())
                        .append(" status ").append(n.replicator.status().shards());
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ nodes

    /** One node: its tracker, its network endpoint, and what it was asked to track. */
    public final class Node {
        final String name;
        final ReplicaId replica;
        final SimTransport transport = new SimTransport(this);
        final ShardedReplicator replicator;
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final Map<String, Map<Long, String>> tracked = new HashMap<>();
        final Map<String, Counts> fromDiffs = new HashMap<>();
        long bytesSent;
        long messagesSent;
        boolean alive = true;
        private long nextConnection;

        Node(String name, ReplicaId replica) {
            this.name = name;
            this.replica = replica;
            List<Scheduler> schedulers = new ArrayList<>();
            for (int i = 0; i < config.shards(); i++) {
                schedulers.add(new SimScheduler(this));
            }
            replicator = new ShardedReplicator(config, replica, transport, schedulers, this::onCountChanges,
                    new ReplicationMetrics(registry, config.shards()));
        }

        public ReplicaId replica() {
            return replica;
        }

        /** Whether the node named {@code name} is in this node's installed view. */
        public boolean sees(String name) {
            return transport.view.containsKey(name);
        }

        void boot() {
            try {
                replicator.start();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void at(long time, Runnable task) {
            post(this, time, task);
        }

        /** All connections tracked here, for moving them elsewhere. */
        public Map<String, Map<Long, String>> tracked() {
            return tracked;
        }

        /** Tracks a new connection on {@code topic}; returns its number. */
        public long join(String topic, String userId) {
            long connection = ++nextConnection;
            tracked.computeIfAbsent(topic, t -> new HashMap<>()).put(connection, userId);
            replicator.track(new io.headcount.tracker.crdt.Presence(topic, connection, userId));
            return connection;
        }

        public void leave(String topic, long connection) {
            Map<Long, String> conns = tracked.get(topic);
            if (conns != null) {
                conns.remove(connection);
            }
            replicator.untrack(topic, connection);
        }

        /** Closes a connection: it leaves every topic. */
        public void disconnect(long connection) {
            tracked.values().forEach(conns -> conns.remove(connection));
            replicator.untrackAll(connection);
        }

        /** Some tracked connection, or -1. */
        public long anyConnection(Random r) {
            List<long[]> all = new ArrayList<>();
            tracked.forEach((topic, conns) -> conns.keySet().forEach(c -> all.add(new long[] {c})));
            return all.isEmpty() ? -1 : all.get(r.nextInt(all.size()))[0];
        }

        public String topicOf(long connection) {
            for (Map.Entry<String, Map<Long, String>> e : tracked.entrySet()) {
                if (e.getValue().containsKey(connection)) {
                    return e.getKey();
                }
            }
            return null;
        }

        public Counts counts(String topic) {
            return replicator.counts(topic);
        }

        /** The counts a client would hold after applying every diff this node emitted. */
        public Counts countsFromDiffs(String topic) {
            return fromDiffs.getOrDefault(topic, Counts.ZERO);
        }

        public ShardedReplicator replicator() {
            return replicator;
        }

        /** Payload bytes this node has sent, each recipient of a broadcast counted. */
        public long bytesSent() {
            return bytesSent;
        }

        public long messagesSent() {
            return messagesSent;
        }

        /** Every replica this node's shards still know anything about. */
        public java.util.Set<ReplicaId> knownReplicas() {
            java.util.Set<ReplicaId> all = new HashSet<>();
            replicator.status().shards().forEach(shard -> all.addAll(shard.keySet()));
            return all;
        }

        /** The value of a gauge this node's tracker registered, NaN if absent. */
        public double gauge(String name) {
            var g = registry.find(name).gauge();
            return g == null ? Double.NaN : g.value();
        }

        /** The value of a counter this node's tracker registered, 0 if absent. */
        public double counter(String name, String... tags) {
            var c = registry.find(name).tags(tags).counter();
            return c == null ? 0 : c.count();
        }

        private void onCountChanges(List<CountChange> changes) {
            for (CountChange c : changes) {
                try {
                    fromDiffs.put(c.topic(), countsFromDiffs(c.topic()).apply(c));
                } catch (IllegalArgumentException negative) {
                    violations.add(replica + " at " + now / 1_000_000 + " ms: " + negative.getMessage() + " after " + c);
                }
            }
        }
    }

    /** A shard thread of a node: its tasks are events of the cluster queue. */
    private final class SimScheduler implements Scheduler {
        private final Node node;

        SimScheduler(Node node) {
            this.node = node;
        }

        @Override
        public void execute(Runnable task) {
            post(node, now, task);
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
            boolean[] cancelled = {false};
            post(node, now + delay.toNanos(), () -> {
                if (!cancelled[0]) {
                    task.run();
                }
            });
            return () -> cancelled[0] = true;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public long currentTimeMillis() {
            return now / 1_000_000;
        }
    }

    /** A node's network endpoint. */
    private final class SimTransport implements Transport {
        private final Node node;
        private Receiver receiver;
        boolean started;
        /** The installed view: member name to the incarnation seen in it. */
        Map<String, ReplicaId> view = Map.of();
        long viewVersion;
        /** Delivery time of the last message per destination, to keep FIFO links when asked. */
        private final Map<String, Long> lastDelivery = new HashMap<>();

        SimTransport(Node node) {
            this.node = node;
        }

        @Override
        public void start(Receiver r) {
            receiver = r;
            started = true;
        }

        void install(long version, Map<String, ReplicaId> members) {
            if (version < viewVersion) {
                return; // a later topology was already installed here
            }
            viewVersion = version;
            Map<String, ReplicaId> old = view;
            // sorted: iteration order decides the order of sends, hence of random draws (Map.copyOf's
            // order changes from one JVM to the next, which made runs irreproducible)
            view = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(members));
            Set<ReplicaId> left = new HashSet<>();
            boolean joined = false;
            for (Map.Entry<String, ReplicaId> e : old.entrySet()) {
                if (!e.getValue().equals(members.get(e.getKey()))) {
                    left.add(e.getValue());
                }
            }
            for (Map.Entry<String, ReplicaId> e : members.entrySet()) {
                if (!e.getValue().equals(old.get(e.getKey())) && !e.getKey().equals(node.name)) {
                    joined = true;
                }
            }
            if (!left.isEmpty()) {
                receiver.onMembersLeft(left);
            }
            if (joined) {
                receiver.onMembersJoined();
            }
        }

        @Override
        public void broadcast(ReplicationMessage message) {
            for (String member : view.keySet()) {
                if (!member.equals(node.name)) {
                    deliver(member, message);
                }
            }
        }

        @Override
        public void send(ReplicaId replica, ReplicationMessage message) {
            if (isMember(replica)) {
                deliver(replica.node(), message);
            }
        }

        private void deliver(String to, ReplicationMessage message) {
            Node target = nodes.get(to);
            if (target == null || !target.alive || !reachable(node.name, to) || random.nextDouble() < faults.dropRate()
                    || dropping.test(to, message)) {
                return;
            }
            byte[] bytes = codec.encode(message);
            node.bytesSent += bytes.length;
            node.messagesSent++;
            int copies = random.nextDouble() < faults.duplicateRate() ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                long at = now + randomNanos(faults.maxDelay());
                if (faults.fifo()) {
                    at = Math.max(at, lastDelivery.getOrDefault(to, 0L));
                    lastDelivery.put(to, at);
                }
                String from = node.name;
                ReplicaId sender = node.replica;
                post(target, at, () -> {
                    // Gone from the receiver's view, or cut off since sending: the message is lost.
                    if (sender.equals(target.transport.view.get(from)) && reachable(from, to)
                            && target.transport.receiver != null) {
                        // A receiving thread may hand the message over after a view change has been
                        // handled (JGroups delivers messages and views on different threads).
                        ReplicationMessage decoded = codec.decode(bytes);
                        post(target, now + randomNanos(faults.maxHandoff()),
                                () -> target.transport.receiver.onMessage(decoded));
                    }
                });
            }
        }

        @Override
        public boolean isMember(ReplicaId replica) {
            return replica.equals(view.get(replica.node()));
        }

        @Override
        public List<String> members() {
            return List.copyOf(view.keySet());
        }

        @Override
        public void close() {
            node.alive = false;
            topologyChanged();
        }
    }
}
