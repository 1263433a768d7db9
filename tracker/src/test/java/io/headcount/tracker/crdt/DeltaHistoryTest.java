package io.headcount.tracker.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class DeltaHistoryTest {

    static final ReplicaId A = new ReplicaId("a", 1);
    static final ReplicaId B = new ReplicaId("b", 1);

    @Test
    void aPeerThatMissedRecentDeltasGetsJustThose() {
        PresenceState a = new PresenceState(A);
        DeltaHistory history = new DeltaHistory(100);
        a.join(Presence.viewer("t:1", 1));
        long c0 = a.clock();
        history.record(a.takeDelta(), 0, c0);
        a.join(Presence.viewer("t:1", 2));
        a.leave("t:1", 1); // removes an entry older than the window below
        history.record(a.takeDelta(), c0, a.clock());

        Delta missed = history.since(A, c0).orElseThrow();
        assertEquals(DotSet.range(1, 3), missed.parts().get(0).seen(), "new dots 2 and 3, plus the removed dot 1");
        assertEquals(1, missed.parts().get(0).entries().size());

        PresenceState b = new PresenceState(B);
        b.replicaUp(A);
        b.merge(history.since(A, 0).orElseThrow());
        assertEquals(a.extractOwn().parts().get(0).entries(), b.extract(List.of(A)).parts().get(0).entries());
        assertTrue(history.since(A, a.clock()).orElseThrow().parts().isEmpty(), "nothing missed, nothing sent");
    }

    @Test
    void aHistoryThatNoLongerReachesBackServesNothing() {
        PresenceState a = new PresenceState(A);
        DeltaHistory history = new DeltaHistory(4);
        long from = 0;
        for (int i = 0; i < 5; i++) {
            a.join(Presence.viewer("t:1", i));
            history.record(a.takeDelta(), from, a.clock());
            from = a.clock();
        }
        assertEquals(Optional.empty(), history.since(A, 0));
        assertTrue(history.since(A, 3).isPresent());
        assertTrue(history.size() <= 4);

        a.join(Presence.viewer("t:1", 99));
        for (int i = 0; i < 10; i++) {
            a.join(Presence.viewer("t:2", i));
        }
        history.record(a.takeDelta(), from, a.clock()); // bigger than the whole history
        assertEquals(Optional.empty(), history.since(A, from));
        assertTrue(history.since(A, a.clock()).isPresent());
    }

    @Property(tries = 300, seed = "4171")
    void aPeerAnywhereInsideTheHistoryEndsEqualToTheOwner(@ForAll Random random) {
        PresenceState a = new PresenceState(A);
        DeltaHistory history = new DeltaHistory(1 + random.nextInt(60));
        List<Delta> flushed = new ArrayList<>();
        List<Long> clocks = new ArrayList<>(List.of(0L));
        for (int step = 0; step < 80; step++) {
            int conn = random.nextInt(6);
            String topic = "t:" + random.nextInt(2);
            if (random.nextInt(3) > 0) {
                a.join(random.nextBoolean() ? Presence.viewer(topic, conn) : Presence.user(topic, conn, "u" + conn));
            } else {
                a.leave(topic, conn);
            }
            if (random.nextInt(4) == 0 && a.hasDelta()) {
                Delta d = a.takeDelta();
                history.record(d, clocks.get(clocks.size() - 1), a.clock());
                flushed.add(d);
                clocks.add(a.clock());
            }
        }
        if (a.hasDelta()) {
            history.record(a.takeDelta(), clocks.get(clocks.size() - 1), a.clock());
        }
        // a peer that merged the first k deltas, in any order
        int k = random.nextInt(flushed.size() + 1);
        PresenceState b = new PresenceState(B);
        b.replicaUp(A);
        List<Delta> seen = new ArrayList<>(flushed.subList(0, k));
        Collections.shuffle(seen, random);
        seen.forEach(b::merge);
        Optional<Delta> window = history.since(A, b.seen(A).prefix());
        if (window.isPresent()) {
            b.merge(window.get());
        } else {
            List<Delta> chunks = a.extractOwn(1 + random.nextInt(5));
            Collections.shuffle(chunks, random);
            chunks.forEach(b::merge);
        }
        assertEquals(DotSet.range(1, a.clock()), b.seen(A));
        assertEquals(a.visibleEntries(), b.visibleEntries());
    }

    @Test
    void chunksOfTheFullStateMergeToTheWholeInAnyOrder() {
        PresenceState a = new PresenceState(A);
        for (int i = 0; i < 23; i++) {
            a.join(Presence.viewer("t:" + (i % 3), i));
        }
        a.leave("t:0", 0);
        List<Delta> chunks = a.extractOwn(5);
        assertEquals(5, chunks.size(), "22 entries in chunks of 5");
        Collections.reverse(chunks);
        PresenceState b = new PresenceState(B);
        b.replicaUp(A);
        chunks.forEach(b::merge);
        assertEquals(a.visibleEntries(), b.visibleEntries());
        assertEquals(DotSet.range(1, a.clock()), b.seen(A));
    }
}
