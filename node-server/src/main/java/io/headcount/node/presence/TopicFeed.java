package io.headcount.node.presence;

import io.headcount.node.config.PushMode;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.Counts;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The counts of one topic as this node has told its sockets, and the sockets to tell.
 *
 * <p>{@code published} is the sum of every diff sent so far; a joiner receives it as its state, then
 * every later push, so a client's {@code count += joins - leaves} always lands on the truth. Changes
 * arriving from the tracker are gathered in {@code pending} until the next flush. All methods hold
 * the feed's lock: a subscription never falls between a flush's state update and its frame.
 *
 * <p>Subscribers are kept by event loop, so a push to a topic with thousands of sockets costs one task
 * per event loop rather than one per socket.
 */
final class TopicFeed {

    private final String topic;
    private final Map<EventLoop, Set<Subscription>> subscribers = new IdentityHashMap<>(4);
    private int subscriberCount;
    private Counts published = Counts.ZERO;
    private CountChange pending;
    /** Flushes that changed {@code published}; the number each push carries. */
    private long flushes;

    TopicFeed(String topic) {
        this.topic = topic;
    }

    String topic() {
        return topic;
    }

    /** Adds a change to the pending diff; true if it is the first one since the last flush. */
    synchronized boolean add(CountChange change) {
        boolean first = pending == null;
        pending = first ? change : pending.plus(change);
        return first;
    }

    /** Sends the published counts to a new subscriber and starts sending it pushes. */
    synchronized void subscribe(Subscription s, PhoenixFrames frames) {
        if (subscribers.computeIfAbsent(s.eventLoop(), loop -> new LinkedHashSet<>()).add(s)) {
            subscriberCount++;
        }
        s.sendState(frames.presenceState(s.joinRef(), topic, published), flushes);
    }

    /** Sends a subscriber that missed pushes the published counts again. */
    synchronized void resync(Subscription s, PhoenixFrames frames) {
        Set<Subscription> onLoop = subscribers.get(s.eventLoop());
        if (onLoop != null && onLoop.contains(s)) {
            s.sendState(frames.presenceState(s.joinRef(), topic, published), flushes);
        }
    }

    synchronized void unsubscribe(Subscription s) {
        Set<Subscription> onLoop = subscribers.get(s.eventLoop());
        if (onLoop != null && onLoop.remove(s)) {
            subscriberCount--;
            if (onLoop.isEmpty()) {
                subscribers.remove(s.eventLoop());
            }
        }
    }

    /** Publishes the pending change: one frame, encoded once, written to every subscriber. Returns frames written. */
    synchronized int flush(PhoenixFrames frames, PushMode mode) {
        if (pending == null) {
            return 0;
        }
        CountChange diff = pending.net();
        pending = null;
        if (diff.isEmpty()) {
            return 0;
        }
        published = published.apply(diff);
        flushes++;
        if (subscriberCount == 0) {
            return 0;
        }
        ByteBuf frame = mode == PushMode.DIFF ? frames.presenceDiff(diff) : frames.presenceStateBroadcast(topic, published);
        try {
            for (Map.Entry<EventLoop, Set<Subscription>> onLoop : subscribers.entrySet()) {
                Subscription.deliver(onLoop.getKey(), onLoop.getValue().toArray(Subscription[]::new),
                        frame.retainedDuplicate(), flushes);
            }
        } finally {
            frame.release();
        }
        return subscriberCount;
    }

    synchronized Counts published() {
        return published;
    }

    /** Nothing to remember: no subscriber, nothing pending, nothing counted. */
    synchronized boolean isIdle() {
        return subscriberCount == 0 && pending == null && published.isZero();
    }
}
