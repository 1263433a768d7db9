package io.headcount.node.presence;

import io.headcount.node.config.PushMode;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.tracker.crdt.CountChange;
import io.headcount.tracker.crdt.Counts;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * The counts of one topic as this node has told its sockets, and the sockets to tell.
 *
 * <p>{@code published} is the sum of every diff sent so far; a joiner receives it as its state, then
 * every later push, so a client's {@code count += joins - leaves} always lands on the truth. Changes
 * arriving from the tracker are gathered in {@code pending} until the next flush. All methods hold
 * the feed's lock: a subscription never falls between a flush's state update and its frame.
 */
final class TopicFeed {

    private final String topic;
    private final List<Subscription> subscribers = new ArrayList<>(2);
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
        subscribers.add(s);
        s.sendState(frames.presenceState(s.joinRef(), topic, published), flushes);
    }

    /** Sends a subscriber that missed pushes the published counts again. */
    synchronized void resync(Subscription s, PhoenixFrames frames) {
        if (subscribers.contains(s)) {
            s.sendState(frames.presenceState(s.joinRef(), topic, published), flushes);
        }
    }

    synchronized void unsubscribe(Subscription s) {
        subscribers.remove(s);
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
        if (subscribers.isEmpty()) {
            return 0;
        }
        ByteBuf frame = mode == PushMode.DIFF ? frames.presenceDiff(diff) : frames.presenceStateBroadcast(topic, published);
        try {
            for (Subscription s : subscribers) {
                s.deliver(frame.retainedDuplicate(), flushes);
            }
        } finally {
            frame.release();
        }
        return subscribers.size();
    }

    synchronized Counts published() {
        return published;
    }

    /** Nothing to remember: no subscriber, nothing pending, nothing counted. */
    synchronized boolean isIdle() {
        return subscribers.isEmpty() && pending == null && published.isZero();
    }
}
