package io.headcount.node.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentRateTest {

    final AtomicLong now = new AtomicLong(1_796_342_400_000L);
    final RecentRate rate = new RecentRate(5, now::get);

    @Test
    void theMeanOfTheLastWholeSecondsLeavesTheCurrentOneOut() {
        rate.add(10);
        assertEquals(0, rate.perSecond(), "the current second is not over");
        now.addAndGet(1_000);
        rate.add(5);
        assertEquals(2.0, rate.perSecond(), 1e-9, "10 events over 5 s");
        now.addAndGet(1_000);
        assertEquals(3.0, rate.perSecond(), 1e-9, "15 events over 5 s");
    }

    @Test
    void oldSecondsDropOutAndTheirBucketsAreReused() {
        rate.add(60);
        now.addAndGet(5_000);
        assertEquals(12.0, rate.perSecond(), 1e-9, "5 s later the second is still in the window");
        now.addAndGet(1_000);
        assertEquals(0, rate.perSecond(), "6 s later it is gone");
        now.addAndGet(60_000);
        rate.add(5); // lands in a bucket last used a minute ago
        now.addAndGet(1_000);
        assertEquals(1.0, rate.perSecond(), 1e-9);
    }
}
