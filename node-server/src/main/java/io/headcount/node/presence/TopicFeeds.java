package io.headcount.node.presence;

import io.headcount.node.config.PushMode;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.tracker.CountsListener;
import io.headcount.tracker.crdt.CountChange;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The count fan-out of a node: per topic, changes from the tracker are coalesced over a push window
 * into one push ({@code presence_diff}, or {@code presence_state} in the state mode), encoded once and
 * written to every socket that joined the topic.
 *
 * <p>A feed exists while its topic has a non-zero count, a pending change or a subscriber. Creating
 * and dropping feeds goes through {@link ConcurrentHashMap#compute}, so a change and a subscription
 * of the same topic can never each see a different feed.
 */
public final class TopicFeeds implements CountsListener {

    private final ConcurrentHashMap<String, TopicFeed> feeds = new ConcurrentHashMap<>();
    private final Duration window;
    private final PushMode mode;
    private final PushTimer timer;
    private final PhoenixFrames frames;
    private final Counter diffs;
    private final Counter pushes;
    private final Counter drops;
    private final LongAdder joins = new LongAdder();
    private final LongAdder leaves = new LongAdder();
    private final RecentRate joinRate = new RecentRate(RATE_SECONDS, System::currentTimeMillis);
    private final RecentRate leaveRate = new RecentRate(RATE_SECONDS, System::currentTimeMillis);
    /** The whole seconds {@link #joinsPerSecond} and {@link #leavesPerSecond} average over. */
    public static final int RATE_SECONDS = 3;

    public TopicFeeds(Duration window, PushMode mode, PushTimer timer, PhoenixFrames frames, MeterRegistry registry) {
        this.window = window;
        this.mode = mode;
        this.timer = timer;
        this.frames = frames;
        diffs = Counter.builder("headcount.presence.diffs").description("Count pushes encoded (one per topic flush)")
                .register(registry);
        pushes = Counter.builder("headcount.presence.pushes").description("Count pushes written to sockets")
                .register(registry);
        drops = Counter.builder("headcount.presence.drops").description("Count pushes skipped for slow readers "
                + "(replaced by the latest state once they catch up)").register(registry);
        FunctionCounter.builder("headcount.presence.changes", joins, LongAdder::sum).tag("kind", "joins")
                .description("Viewers and users who joined a topic, anywhere in the cluster").register(registry);
        FunctionCounter.builder("headcount.presence.changes", leaves, LongAdder::sum).tag("kind", "leaves")
                .description("Viewers and users who left a topic, anywhere in the cluster").register(registry);
        Gauge.builder("headcount.presence.topics", feeds, ConcurrentHashMap::size)
                .description("Topics with a non-zero count or a subscriber on this node").register(registry);
    }

    /** Called by the tracker on a shard thread for every count change. */
    @Override
    public void onCountChanges(List<CountChange> changes) {
        tally(changes);
        for (CountChange change : changes) {
            TopicFeed[] feed = new TopicFeed[1];
            boolean[] first = new boolean[1];
            feeds.compute(change.topic(), (topic, f) -> {
                TopicFeed target = f != null ? f : new TopicFeed(topic);
                first[0] = target.add(change);
                feed[0] = target;
                return target;
            });
            if (window.isZero()) {
                flush(feed[0]);
            } else if (first[0]) {
                timer.schedule(() -> flush(feed[0]), window);
            }
        }
    }

    /** Adds a batch to the change figures: once per batch, as the rates take a lock shared by the shards. */
    private void tally(List<CountChange> changes) {
        long joined = 0;
        long left = 0;
        for (CountChange change : changes) {
            joined += change.joins().viewers() + change.joins().users();
            left += change.leaves().viewers() + change.leaves().users();
        }
        joins.add(joined);
        leaves.add(left);
        joinRate.add(joined);
        leaveRate.add(left);
    }

    /** Viewers and users who joined a topic anywhere in the cluster, as this node learnt of them, since start. */
    public long joinsSeen() {
        return joins.sum();
    }

    /** Viewers and users who left a topic anywhere in the cluster (a down node's included), since start. */
    public long leavesSeen() {
        return leaves.sum();
    }

    /** Joins per second over the last {@value #RATE_SECONDS} whole seconds, cluster-wide as this node saw them. */
    public double joinsPerSecond() {
        return joinRate.perSecond();
    }

    public double leavesPerSecond() {
        return leaveRate.perSecond();
    }

    /**
     * Subscribes a socket to a topic: writes the published counts as its {@code presence_state} now,
     * and every later diff. Call on the socket's event loop, after the join reply.
     */
    public Subscription subscribe(String topic, String joinRef, Channel channel) {
        Subscription s = new Subscription(topic, joinRef, channel, drops);
        feeds.compute(topic, (t, f) -> {
            TopicFeed target = f != null ? f : new TopicFeed(t);
            target.subscribe(s, frames);
            return target;
        });
        return s;
    }

    /** Sends a stale subscription the latest counts; call on the socket's event loop once it is writable. */
    public void resync(Subscription s) {
        TopicFeed feed = feeds.get(s.topic());
        if (feed != null) {
            feed.resync(s, frames);
        }
    }

    /** Stops a subscription; call on the socket's event loop. */
    public void unsubscribe(Subscription s) {
        s.cancel();
        feeds.computeIfPresent(s.topic(), (t, f) -> {
            f.unsubscribe(s);
            return f.isIdle() ? null : f;
        });
    }

    private void flush(TopicFeed feed) {
        int written = feed.flush(frames, mode);
        if (written > 0) {
            diffs.increment();
            pushes.increment(written);
        }
        feeds.computeIfPresent(feed.topic(), (t, f) -> f == feed && f.isIdle() ? null : f);
    }
}
