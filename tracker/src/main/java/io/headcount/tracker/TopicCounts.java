package io.headcount.tracker;

import io.headcount.tracker.crdt.Counts;
import java.util.Comparator;

/** A topic and its counts across the cluster. */
public record TopicCounts(String topic, Counts counts) {

    /** Busiest first: most viewers and users together, then by topic name. */
    public static final Comparator<TopicCounts> BUSIEST_FIRST = Comparator
            .comparingLong((TopicCounts t) -> t.counts().viewers() + t.counts().users()).reversed()
            .thenComparing(TopicCounts::topic);
}
