package io.headcount.node.presence;

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
 * every later diff, so a client's {@code count += joins - leaves} always lands on the truth. Changes
 * arriving from the tracker are gathered in {@code pending} until the next flush. All methods hold
 * the feed's lock: a subscription never falls between a flush's state update and its frame.
 */
final class TopicFeed {

    private final String topic;
    private final List<Subscription> subscribers = new ArrayList<>(2);
    private Counts published = Counts.ZERO;
    private CountChange pending;

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

    /** Sends the published counts to a new subscriber and starts sending it diffs. */
    synchronized void subscribe(Subscription s, PhoenixFrames frames) {
        subscribers.add(s);
        s.channel().writeAndFlush(frames.presenceState(s.joinRef(), topic, published), s.channel().voidPromise());
    }

    synchronized void unsubscribe(Subscription s) {
        subscribers.remove(s);
    }

    /** Publishes the pending diff: one frame, encoded once, written to every subscriber. Returns frames written. */
    synchronized int flush(PhoenixFrames frames) {
        CountChange diff = pending;
        if (diff == null) {
            return 0;
        }
        pending = null;
        published = published.apply(diff);
        if (subscribers.isEmpty() || diff.isEmpty()) {
            return 0;
        }
        ByteBuf frame = frames.presenceDiff(diff);
        try {
            for (Subscription s : subscribers) {
                s.deliver(frame.retainedDuplicate());
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
