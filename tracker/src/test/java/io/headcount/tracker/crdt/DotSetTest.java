package io.headcount.tracker.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DotSetTest {

    @Test
    void aContiguousSetIsItsOwnPrefix() {
        DotSet s = DotSet.range(1, 5);
        assertEquals(5, s.prefix());
        assertTrue(s.isContiguous());
        assertEquals(1, s.rangeCount());
    }

    @Test
    void aDotBeyondAGapIsACloudThatFillingTheGapCompacts() {
        DotSet s = DotSet.range(1, 3).with(5);
        assertEquals(3, s.prefix());
        assertFalse(s.isContiguous());
        assertEquals("{1..3,5}", s.toString());
        DotSet filled = s.with(4);
        assertEquals(5, filled.prefix());
        assertTrue(filled.isContiguous());
    }

    @Test
    void rangesMustBeOrderedAndSeparated() {
        assertThrows(IllegalArgumentException.class, () -> DotSet.ofRanges(new long[] {1, 3, 4, 5}));
        assertThrows(IllegalArgumentException.class, () -> DotSet.ofRanges(new long[] {0, 3}));
        assertThrows(IllegalArgumentException.class, () -> DotSet.ofRanges(new long[] {5, 3}));
        assertThrows(IllegalArgumentException.class, () -> DotSet.ofRanges(new long[] {1}));
        assertEquals("{1..3,5..6}", DotSet.ofRanges(new long[] {1, 3, 5, 6}).toString());
    }

    @Property(tries = 1000, seed = "4161")
    void behavesAsASetOfLongs(@ForAll @Size(max = 40) List<@IntRange(min = 1, max = 60) Integer> a,
            @ForAll @Size(max = 40) List<@IntRange(min = 1, max = 60) Integer> b,
            @ForAll @IntRange(max = 65) int cut) {
        checkAgainstModel(new ArrayList<>(a), new ArrayList<>(b), cut);
    }

    private static void checkAgainstModel(List<Integer> a, List<Integer> b, int cut) {
        DotSet sa = build(a);
        DotSet sb = build(b);
        TreeSet<Long> ma = model(a);
        TreeSet<Long> union = model(a);
        union.addAll(model(b));
        DotSet su = sa.union(sb);
        assertEquals(union, members(su));
        assertEquals(su, sb.union(sa), "union commutes");
        assertEquals(su, su.union(sb), "union is idempotent");
        assertEquals(union.size(), su.size());
        long prefix = 0;
        while (union.contains(prefix + 1)) {
            prefix++;
        }
        assertEquals(prefix, su.prefix());
        assertEquals(new TreeSet<>(ma.headSet((long) cut, true)), members(sa.upTo(cut)));
        assertEquals(sa, DotSet.ofRanges(ranges(sa)), "ranges round-trip");
        for (long c = 0; c <= 62; c++) {
            assertEquals(ma.contains(c), sa.contains(c));
        }
    }

    private static DotSet build(List<Integer> clocks) {
        DotSet s = DotSet.EMPTY;
        for (int c : clocks) {
            s = s.with(c);
        }
        return s;
    }

    private static TreeSet<Long> model(List<Integer> clocks) {
        TreeSet<Long> m = new TreeSet<>();
        clocks.forEach(c -> m.add((long) c));
        return m;
    }

    private static TreeSet<Long> members(DotSet s) {
        TreeSet<Long> m = new TreeSet<>();
        s.forEach(m::add);
        return m;
    }

    private static long[] ranges(DotSet s) {
        List<Long> out = new ArrayList<>();
        s.forEachRange((from, to) -> {
            out.add(from);
            out.add(to);
        });
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
