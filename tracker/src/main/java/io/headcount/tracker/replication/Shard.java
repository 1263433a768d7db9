package io.headcount.tracker.replication;

import io.headcount.tracker.CountsListener;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.CountTable;
import io.headcount.tracker.crdt.Counts;
import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.DeltaHistory;
import io.headcount.tracker.crdt.Presence;
import io.headcount.tracker.crdt.PresenceDiff;
import io.headcount.tracker.crdt.PresenceState;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.wire.DeltaBroadcast;
import io.headcount.tracker.wire.GracefulPermdown;
import io.headcount.tracker.wire.Heartbeat;
import io.headcount.tracker.wire.ReplicationMessage;
import io.headcount.tracker.wire.Transfer;
import io.headcount.tracker.wire.TransferRequest;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of one node: owns a {@link PresenceState} and drives its replication (Phoenix's
 * {@code Shard}). Every method runs on the shard's {@link Scheduler} thread; nothing else touches
 * the state.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Local changes are gathered for {@code flushWindow} and broadcast as one delta.</li>
 *   <li>Every {@code heartbeatInterval}, and as soon as the view gains members, the shard broadcasts
 *       its own clock. A replica that finds itself behind another's clock, or a gap after merging its
 *       delta, asks that replica for a transfer of its own state. Each replica is the authority on
 *       its own dots, so the smallest set of peers to ask is exactly the owners one is behind on, and
 *       a new node receives the whole state once, not once per peer. The owner answers with the
 *       recent deltas the requester missed when its history reaches back that far, otherwise with
 *       its full state in chunks; each piece merges on its own.</li>
 *   <li>A replica is learned from its own messages. When its member leaves the view it is marked down
 *       at once (entries hidden, leaves reported). If it comes back (a healed partition) its entries
 *       stay hidden until its transfer has been merged, so stale entries never flash back. It is
 *       purged after {@code permdownPeriod}, at once on its graceful shutdown, and at once when a later
 *       incarnation of the same node shows up.</li>
 * </ul>
 */
final class Shard {

    private static final Logger log = LoggerFactory.getLogger(Shard.class);

    private final int index;
    private final TrackerConfig config;
    private final PresenceState state;
    private final CountTable counts;
    private final Scheduler scheduler;
    private final Transport transport;
    private final CountsListener listener;
    private final ReplicationMetrics metrics;

    /** Down replicas and when they went down (scheduler nanos). */
    private final Map<ReplicaId, Long> downSince = new HashMap<>();
    /** Down replicas that are members again; revealed once their transfer is merged. */
    private final Set<ReplicaId> returning = new HashSet<>();
    /** Outstanding transfer requests, one per replica at most. */
    private final Map<ReplicaId, Request> requests = new HashMap<>();
    /** Recent deltas of this replica, to answer a transfer with only what was missed. */
    private final DeltaHistory history;
    private long nextRequestId;
    /** This replica's clock as of its last broadcast delta. */
    private long flushedClock;
    /** Replicas purged on purpose, ignored until the permdown period has passed, against late messages. */
    private final Map<ReplicaId, Long> retired = new HashMap<>();
    /** Other incarnations of this node's own name already reported (a misconfiguration or a paused twin). */
    private final Set<ReplicaId> sameNameWarned = new HashSet<>();

    private boolean flushScheduled;
    private boolean stopped;
    private Scheduler.Cancellable tick;
    private volatile Map<ReplicaId, ReplicaStatus> published = Map.of();
    /** Stored presences per replica, hidden ones included, as of the last tick or status change. */
    private volatile Map<ReplicaId, Integer> presences = Map.of();
    /**
     * Client connections each peer announced in its last heartbeat; published with the sizes, for up
     * replicas only (a down replica's figure is stale). Every shard keeps it; the replicator reads shard 0's.
     */
    private final Map<ReplicaId, Long> announced = new HashMap<>();
    private volatile Map<ReplicaId, Long> connections = Map.of();
    private final LongSupplier ownConnections;
    /** Wall-clock time of the oldest change in the pending delta. */
    private long firstChangeMillis;

    Shard(int index, TrackerConfig config, ReplicaId self, Scheduler scheduler, Transport transport,
            CountsListener listener, ReplicationMetrics metrics, LongSupplier ownConnections) {
        this.index = index;
        this.ownConnections = ownConnections;
        this.config = config;
        this.state = new PresenceState(self);
        this.counts = new CountTable(config.countingMode());
        this.scheduler = scheduler;
        this.transport = transport;
        this.listener = listener;
        this.metrics = metrics;
        this.history = new DeltaHistory(config.historySize());
    }

    /**
     * An outstanding transfer request: its id, the next piece of the answer to merge, pieces that
     * arrived ahead of it (a network may reorder), and when it last made progress.
     */
    private static final class Request {
        final long id;
        int nextChunk;
        long lastProgress;
        final java.util.TreeMap<Integer, Transfer> early = new java.util.TreeMap<>();

        Request(long id, long now) {
            this.id = id;
            this.lastProgress = now;
        }
    }

    Scheduler scheduler() {
        return scheduler;
    }

    // ---------------------------------------------------------------- reads from any thread

    Counts counts(String topic) {
        return counts.counts(topic);
    }

    Map<String, Counts> allCounts() {
        return counts.snapshot();
    }

    Map<ReplicaId, ReplicaStatus> replicaStatuses() {
        return published;
    }

    Map<ReplicaId, Integer> presencesByReplica() {
        return presences;
    }

    /** Client connections of the up peers, as last announced. */
    Map<ReplicaId, Long> connectionsByReplica() {
        return connections;
    }

    /** Visits every topic with a non-zero count; weakly consistent, from any thread. */
    void forEachCount(BiConsumer<String, Counts> visitor) {
        counts.forEach(visitor);
    }

    // ---------------------------------------------------------------- lifecycle

    void start() {
        heartbeat();
        scheduleTick();
        publishStatuses();
    }

    /** Sends what is pending and stops talking; the state stays readable. */
    void stop() {
        stopped = true;
        if (tick != null) {
            tick.cancel();
        }
        flush();
    }

    private void scheduleTick() {
        tick = scheduler.schedule(config.heartbeatInterval(), () -> {
            if (stopped) {
                return;
            }
            try {
                onTick();
            } finally {
                scheduleTick(); // one failed tick must not stop heartbeats and permdowns for good
            }
        });
    }

    private void onTick() {
        heartbeat();
        long now = scheduler.nanoTime();
        long permdownNanos = config.permdownPeriod().toNanos();
        for (ReplicaId r : List.copyOf(downSince.keySet())) {
            if (now - downSince.get(r) >= permdownNanos) {
                log.debug("shard {}: {} down for {}, purging it", index, r, config.permdownPeriod());
                permdown(r, false);
            }
        }
        retired.values().removeIf(at -> now - at >= permdownNanos);
        long timeout = config.transferTimeout().toNanos();
        requests.values().removeIf(r -> now - r.lastProgress >= timeout);
        publishSizes();
    }

    // ---------------------------------------------------------------- local changes

    void track(Presence presence) {
        noteChangeTime();
        apply(state.join(presence));
        scheduleFlush();
    }

    void untrack(String topic, long connection) {
        noteChangeTime();
        apply(state.leave(topic, connection));
        scheduleFlush();
    }

    void untrackAll(long connection) {
        noteChangeTime();
        apply(state.leaveAll(connection));
        scheduleFlush();
    }

    /** Before a local change: if it starts a new delta, its time is the delta's first change. */
    private void noteChangeTime() {
        if (!state.hasDelta()) {
            firstChangeMillis = scheduler.currentTimeMillis();
        }
    }

    private void scheduleFlush() {
        if (stopped || !state.hasDelta()) {
            return;
        }
        if (state.pendingDots() >= config.maxDeltaSize()) {
            flush(); // big enough already; the scheduled flush, if any, will find nothing
            return;
        }
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        if (config.flushWindow().isZero()) {
            scheduler.execute(this::flush);
        } else {
            scheduler.schedule(config.flushWindow(), this::flush);
        }
    }

    private void flush() {
        flushScheduled = false;
        long start = scheduler.nanoTime();
        Delta delta = state.takeDelta();
        if (delta != null) {
            transport.broadcast(new DeltaBroadcast(index, delta, firstChangeMillis));
            history.record(delta, flushedClock, state.clock());
            flushedClock = state.clock();
            metrics.deltaSent(delta);
            metrics.flushed(scheduler.nanoTime() - start);
        }
    }

    /**
     * Announces this shard's clock. Pending changes are flushed first: a heartbeat must not be ahead
     * of the deltas sent before it, or every peer would think it lost one and ask for a transfer.
     */
    private void heartbeat() {
        if (state.hasDelta()) {
            flush();
        }
        transport.broadcast(new Heartbeat(state.self(), index, state.clock(), ownConnections.getAsLong()));
    }

    // ---------------------------------------------------------------- messages

    void receive(ReplicationMessage message) {
        if (stopped) {
            return;
        }
        if (message instanceof GracefulPermdown g) {
            if (state.knows(g.sender())) {
                log.debug("shard {}: {} shut down gracefully, purging it", index, g.sender());
                permdown(g.sender(), true);
            }
            return;
        }
        ReplicaId sender = message.sender();
        if (!admit(sender)) {
            return;
        }
        if (message instanceof Heartbeat h) {
            announced.put(sender, h.connections());
            if (h.clock() > state.seen(sender).prefix() || returning.contains(sender)) {
                requestTransfer(sender);
            }
        } else if (message instanceof DeltaBroadcast d) {
            metrics.deltaReceived();
            merge(d.delta());
            metrics.converged(scheduler.currentTimeMillis() - d.firstChangeMillis());
            if (!state.seen(sender).isContiguous()) {
                requestTransfer(sender);
            }
        } else if (message instanceof TransferRequest r) {
            answer(r);
        } else if (message instanceof Transfer t) {
            onTransfer(sender, t);
        }
    }

    /**
     * Merges the pieces of the answer to the outstanding request in order, each after all before it;
     * pieces that come early wait, pieces of an older request are dropped (see {@link Transfer}). A
     * request that stops making progress (a piece was lost) times out and the next heartbeat asks again.
     */
    private void onTransfer(ReplicaId sender, Transfer t) {
        Request pending = requests.get(sender);
        if (pending == null || pending.id != t.requestId() || t.chunk() < pending.nextChunk) {
            metrics.transferPieceDropped();
            return;
        }
        pending.early.put(t.chunk(), t);
        pending.lastProgress = scheduler.nanoTime();
        Transfer next;
        while ((next = pending.early.remove(pending.nextChunk)) != null) {
            metrics.transferReceived();
            merge(next.state());
            pending.nextChunk++;
            if (next.last()) {
                requests.remove(sender);
                if (returning.remove(sender)) {
                    log.debug("shard {}: {} is back with {} entries", index, sender, state.size(sender));
                    apply(state.replicaUp(sender));
                    downSince.remove(sender);
                    publishStatuses();
                }
                return;
            }
        }
    }

    /** Sends a peer what it missed of this replica: recent deltas if they reach back far enough, else everything. */
    private void answer(TransferRequest request) {
        flush(); // so that the answer includes everything up to now, and the history too
        var window = history.since(state.self(), request.seenPrefix());
        if (window.isPresent()) {
            transport.send(request.sender(), new Transfer(index, request.requestId(), 0, true, window.get()));
            metrics.transferSent("window", 1);
            return;
        }
        List<Delta> chunks = state.extractOwn(config.transferChunk());
        for (int i = 0; i < chunks.size(); i++) {
            transport.send(request.sender(), new Transfer(index, request.requestId(), i, i == chunks.size() - 1,
                    chunks.get(i)));
        }
        metrics.transferSent("full", chunks.size());
    }

    private void merge(Delta delta) {
        long start = scheduler.nanoTime();
        apply(state.merge(delta));
        metrics.merged(scheduler.nanoTime() - start);
    }

    /**
     * Decides whether a message from {@code sender} may be merged, learning the sender on first contact.
     * Late messages from a member that left the view, from a purged replica or from an earlier life
     * of a node are refused.
     */
    private boolean admit(ReplicaId sender) {
        if (sender.equals(state.self()) || !transport.isMember(sender) || retired.containsKey(sender)) {
            return false;
        }
        if (sender.node().equals(state.self().node())) {
            if (sameNameWarned.add(sender)) {
                log.error("shard {}: another node runs under this node's name '{}' ({}); ignoring it: node names "
                        + "must be unique", index, sender.node(), sender);
            }
            return false;
        }
        if (state.knows(sender)) {
            if (!state.isUp(sender) && returning.add(sender)) {
                log.debug("shard {}: {} is a member again, fetching its state", index, sender);
                requestTransfer(sender);
            }
            return true;
        }
        ReplicaId previous = state.otherIncarnationOf(sender);
        if (previous != null) {
            // A later life, or any life while the one we know is gone from the view (clocks can step back).
            if (previous.isSucceededBy(sender) || !transport.isMember(previous)) {
                log.debug("shard {}: {} restarted as {}, purging the previous incarnation", index, previous, sender);
                permdown(previous, true);
            } else {
                return false;
            }
        }
        apply(state.replicaUp(sender));
        publishStatuses();
        return true;
    }

    private void requestTransfer(ReplicaId replica) {
        if (!requests.containsKey(replica)) {
            long id = ++nextRequestId;
            requests.put(replica, new Request(id, scheduler.nanoTime()));
            transport.send(replica, new TransferRequest(state.self(), index, id, state.seen(replica).prefix()));
            metrics.transferRequested();
        }
    }

    // ---------------------------------------------------------------- membership

    void onMembersLeft(Set<ReplicaId> replicas) {
        for (ReplicaId r : replicas) {
            if (state.knows(r) && !downSince.containsKey(r)) {
                log.debug("shard {}: {} left the view, hiding its {} entries", index, r, state.size(r));
                apply(state.replicaDown(r));
                downSince.put(r, scheduler.nanoTime());
            }
            returning.remove(r);
            requests.remove(r);
        }
        publishStatuses();
    }

    void onMembersJoined() {
        if (!stopped) {
            heartbeat();
        }
    }

    private void permdown(ReplicaId replica, boolean retire) {
        apply(state.permdown(replica));
        downSince.remove(replica);
        returning.remove(replica);
        requests.remove(replica);
        announced.remove(replica);
        if (retire) {
            retired.put(replica, scheduler.nanoTime());
        }
        publishStatuses();
    }

    // ---------------------------------------------------------------- counts

    private void apply(PresenceDiff diff) {
        List<CountChange> changes = counts.apply(diff);
        if (changes.isEmpty()) {
            return;
        }
        try {
            listener.onCountChanges(changes);
        } catch (RuntimeException e) {
            log.error("shard {}: counts listener failed", index, e);
        }
    }

    private void publishStatuses() {
        Map<ReplicaId, ReplicaStatus> statuses = new HashMap<>();
        for (ReplicaId r : state.replicaIds()) {
            ReplicaStatus s = r.equals(state.self()) ? ReplicaStatus.SELF
                    : returning.contains(r) ? ReplicaStatus.RETURNING
                    : state.isUp(r) ? ReplicaStatus.UP : ReplicaStatus.DOWN;
            statuses.put(r, s);
        }
        published = Map.copyOf(statuses);
        publishSizes();
    }

    private void publishSizes() {
        Map<ReplicaId, Integer> sizes = new HashMap<>();
        for (ReplicaId r : state.replicaIds()) {
            sizes.put(r, state.size(r));
        }
        presences = Map.copyOf(sizes);
        Map<ReplicaId, Long> conns = new HashMap<>(announced);
        conns.keySet().removeIf(r -> !state.isUp(r));
        connections = Map.copyOf(conns);
        metrics.entries(index, state.size());
    }
}
