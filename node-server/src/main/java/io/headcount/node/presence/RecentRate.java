package io.headcount.node.presence;

import java.util.function.LongSupplier;

/**
 * Events per second over the last few whole seconds, from a ring of per-second buckets: what a
 * dashboard charts. Answered by any node at any moment, so a dashboard behind a load balancer does
 * not have to pair successive answers of the same node to take a rate.
 */
final class RecentRate {

    private final int seconds;
    private final long[] counts;
    private final long[] bucketSecond;
    private final LongSupplier clockMillis;

    /** @param seconds the whole seconds averaged over, before the current one */
    RecentRate(int seconds, LongSupplier clockMillis) {
        this.seconds = seconds;
        this.counts = new long[seconds + 1];
        this.bucketSecond = new long[seconds + 1];
        this.clockMillis = clockMillis;
    }

    synchronized void add(long n) {
        long now = clockMillis.getAsLong() / 1000;
        int i = (int) Math.floorMod(now, counts.length);
        if (bucketSecond[i] != now) {
            bucketSecond[i] = now;
            counts[i] = 0;
        }
        counts[i] += n;
    }

    /** The mean per second over the last {@code seconds} whole seconds (the current one left out: it is not over). */
    synchronized double perSecond() {
        long now = clockMillis.getAsLong() / 1000;
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            long age = now - bucketSecond[i];
            if (age >= 1 && age <= seconds) {
                sum += counts[i];
            }
        }
        return (double) sum / seconds;
    }
}
