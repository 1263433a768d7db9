package io.headcount.tracker.crdt;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * An immutable set of clock values of one replica, stored as sorted, disjoint, non-adjacent closed
 * ranges.
 *
 * <p>It plays both parts of Phoenix's causal context for one replica: the contiguous prefix
 * {@code 1..n} is the version-vector entry (the "context"), and whatever lies beyond a gap is the
 * "cloud". Keeping them in one structure makes Phoenix's {@code compact} step implicit: a dot that
 * fills a gap simply joins two ranges. In a healthy cluster every replica's set is one range, so a
 * set is usually two longs.
 */
public final class DotSet {

    public static final DotSet EMPTY = new DotSet(new long[0]);

    /** {@code [start0, end0, start1, end1, ...]}, each {@code start <= end}, gaps between ranges. */
    private final long[] ranges;

    private DotSet(long[] ranges) {
        this.ranges = ranges;
    }

    /** The set {@code from..to}, both inclusive; empty when {@code to < from}. */
    public static DotSet range(long from, long to) {
        if (from < 1) {
            throw new IllegalArgumentException("clocks start at 1, range began at " + from);
        }
        return to < from ? EMPTY : new DotSet(new long[] {from, to});
    }

    /** Builds a set from raw ranges as written by {@link #forEachRange}; validates their order. */
    public static DotSet ofRanges(long[] ranges) {
        if (ranges.length % 2 != 0) {
            throw new IllegalArgumentException("ranges come in pairs, got " + ranges.length + " values");
        }
        for (int i = 0; i < ranges.length; i += 2) {
            long start = ranges[i];
            long end = ranges[i + 1];
            boolean gapAfterPrevious = i == 0 || start >= ranges[i - 1] + 2;
            if (start < 1 || end < start || !gapAfterPrevious) {
                throw new IllegalArgumentException(
                        "ranges must start at 1 or later, be sorted and be separated by gaps: " + Arrays.toString(ranges));
            }
        }
        return ranges.length == 0 ? EMPTY : new DotSet(ranges.clone());
    }

    public boolean isEmpty() {
        return ranges.length == 0;
    }

    public boolean contains(long clock) {
        int i = rangeAtOrBefore(clock);
        return i >= 0 && clock <= ranges[i + 1];
    }

    /** The largest {@code n} such that all of {@code 1..n} are in the set: the version-vector entry. */
    public long prefix() {
        return ranges.length > 0 && ranges[0] == 1 ? ranges[1] : 0;
    }

    /** True when the set is exactly {@code 1..n} for some {@code n >= 0}: nothing beyond a gap. */
    public boolean isContiguous() {
        return ranges.length == 0 || (ranges.length == 2 && ranges[0] == 1);
    }

    public long max() {
        return ranges.length == 0 ? 0 : ranges[ranges.length - 1];
    }

    /** Number of clock values in the set. */
    public long size() {
        long n = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            n += ranges[i + 1] - ranges[i] + 1;
        }
        return n;
    }

    /** Number of ranges: 1 for a healthy replica; grows only with gaps. */
    public int rangeCount() {
        return ranges.length / 2;
    }

    public DotSet with(long clock) {
        return withRange(clock, clock);
    }

    /** This set plus {@code from..to}. */
    public DotSet withRange(long from, long to) {
        if (from < 1 || to < from) {
            throw new IllegalArgumentException("bad range " + from + ".." + to);
        }
        int n = ranges.length;
        // Fast path: appending at (or right after) the end, the common case for a replica's own clock.
        if (n == 0) {
            return new DotSet(new long[] {from, to});
        }
        if (from > ranges[n - 1] + 1) {
            long[] r = Arrays.copyOf(ranges, n + 2);
            r[n] = from;
            r[n + 1] = to;
            return new DotSet(r);
        }
        if (from >= ranges[n - 2]) {
            if (to <= ranges[n - 1]) {
                return this;
            }
            long[] r = ranges.clone();
            r[n - 1] = to;
            return new DotSet(r);
        }
        return union(range(from, to));
    }

    public DotSet union(DotSet other) {
        if (other.ranges.length == 0 || other == this) {
            return this;
        }
        if (ranges.length == 0) {
            return other;
        }
        long[] out = new long[ranges.length + other.ranges.length];
        int o = 0;
        int i = 0;
        int j = 0;
        while (i < ranges.length || j < other.ranges.length) {
            long start;
            long end;
            if (j >= other.ranges.length || (i < ranges.length && ranges[i] <= other.ranges[j])) {
                start = ranges[i];
                end = ranges[i + 1];
                i += 2;
            } else {
                start = other.ranges[j];
                end = other.ranges[j + 1];
                j += 2;
            }
            if (o > 0 && start <= out[o - 1] + 1) {
                out[o - 1] = Math.max(out[o - 1], end);
            } else {
                out[o++] = start;
                out[o++] = end;
            }
        }
        return new DotSet(o == out.length ? out : Arrays.copyOf(out, o));
    }

    /** This set restricted to clocks of at most {@code clock}. */
    public DotSet upTo(long clock) {
        if (clock >= max()) {
            return this;
        }
        int i = rangeAtOrBefore(clock);
        if (i < 0) {
            return EMPTY;
        }
        long[] r = Arrays.copyOf(ranges, i + 2);
        r[i + 1] = Math.min(r[i + 1], clock);
        return new DotSet(r);
    }

    public void forEach(LongConsumer action) {
        for (int i = 0; i < ranges.length; i += 2) {
            for (long c = ranges[i]; c <= ranges[i + 1]; c++) {
                action.accept(c);
            }
        }
    }

    /** Visits the ranges in ascending order. */
    public void forEachRange(RangeConsumer action) {
        for (int i = 0; i < ranges.length; i += 2) {
            action.accept(ranges[i], ranges[i + 1]);
        }
    }

    /** Receives one closed range. */
    @FunctionalInterface
    public interface RangeConsumer {
        void accept(long from, long to);
    }

    /** Index of the range whose start is the greatest one {@code <= clock}, or -1. */
    private int rangeAtOrBefore(long clock) {
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (ranges[mid * 2] <= clock) {
                found = mid * 2;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DotSet other && Arrays.equals(ranges, other.ranges);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ranges);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < ranges.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ranges[i]);
            if (ranges[i + 1] != ranges[i]) {
                sb.append("..").append(ranges[i + 1]);
            }
        }
        return sb.append('}').toString();
    }
}
