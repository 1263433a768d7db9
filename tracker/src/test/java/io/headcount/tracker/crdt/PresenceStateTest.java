package io.headcount.tracker.crdt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scenarios of the ORSWOT, each told step by step (cf. Phoenix's state_test.exs). */
class PresenceStateTest {

    static final ReplicaId A = new ReplicaId("a", 1);
    static final ReplicaId B = new ReplicaId("b", 1);
    static final ReplicaId C = new ReplicaId("c", 1);

    static final Presence ALICE = Presence.user("video:42", 1, "alice");
    static final Presence ANON = Presence.viewer("video:42", 2);

    static PresenceState stateKnowing(ReplicaId self, ReplicaId... peers) {
        PresenceState s = new PresenceState(self);
        for (ReplicaId p : peers) {
            s.replicaUp(p);
        }
        return s;
    }

    @Test
    void aJoinReachesAPeerOnceHoweverOftenItsDeltaArrives() {
        PresenceState a = stateKnowing(A, B);
        PresenceState b = stateKnowing(B, A);
        assertEquals(PresenceDiff.joined(ALICE), a.join(ALICE));
        Delta d = a.takeDelta();

        assertEquals(PresenceDiff.joined(ALICE), b.merge(d));
        assertEquals(PresenceDiff.EMPTY, b.merge(d), "a repeated merge emits nothing");
        assertEquals(List.of(ALICE), List.copyOf(b.visibleEntries().values()));
        assertNull(a.takeDelta(), "the delta was taken");
    }

    @Test
    void aLeaveTravelsAsASeenDotWithoutItsEntry() {
        PresenceState a = stateKnowing(A, B);
        PresenceState b = stateKnowing(B, A);
        a.join(ALICE);
        b.merge(a.takeDelta());
        assertEquals(PresenceDiff.left(ALICE), a.leave("video:42", 1));
        Delta leave = a.takeDelta();
        ReplicaDelta part = leave.parts().get(0);
        assertTrue(part.entries().isEmpty());
        assertEquals(DotSet.range(1, 2), part.seen(), "the removed dot and the leave's own dot");

        assertEquals(PresenceDiff.left(ALICE), b.merge(leave));
        assertTrue(b.visibleEntries().isEmpty());
        assertEquals(DotSet.range(1, 2), b.seen(A));
    }

    @Test
    void aJoinAndLeaveWithinOneFlushWindowNeverShowOnPeers() {
        PresenceState a = stateKnowing(A, B);
        PresenceState b = stateKnowing(B, A);
        a.join(ALICE);
        a.leave("video:42", 1);
        assertEquals(PresenceDiff.EMPTY, b.merge(a.takeDelta()));
        assertEquals(0, b.size());
        assertEquals(2, b.seen(A).prefix());
    }

    @Test
    void deltasOfAnUnknownReplicaAreIgnoredUntilItIntroducesItself() {
        PresenceState a = stateKnowing(A, B);
        PresenceState b = new PresenceState(B);
        a.join(ALICE);
        Delta d = a.takeDelta();
        assertEquals(PresenceDiff.EMPTY, b.merge(d));
        assertEquals(DotSet.EMPTY, b.seen(A), "nothing recorded, so the entry is still accepted later");

        b.replicaUp(A);
        assertEquals(PresenceDiff.joined(ALICE), b.merge(d));
    }

    @Test
    void aRemoveArrivingBeforeItsJoinLeavesNoGhost() {
        // a joins alice, joins anon, then drops alice: three deltas. b gets the third first (a gap at
        // dot 2), then the first (alice's join, already known removed), then the second.
        PresenceState a = stateKnowing(A, B);
        PresenceState b = stateKnowing(B, A);
        a.join(ALICE);
        Delta joinAlice = a.takeDelta();
        a.join(ANON);
        Delta joinAnon = a.takeDelta();
        a.leave("video:42", 1);
        Delta leaveAlice = a.takeDelta();

        assertEquals(PresenceDiff.EMPTY, b.merge(leaveAlice));
        assertEquals(DotSet.range(1, 1).with(3), b.seen(A), "dot 2 not seen yet: a gap");
        assertEquals(PresenceDiff.EMPTY, b.merge(joinAlice), "dot 1 is known removed: never shown");
        assertEquals(PresenceDiff.joined(ANON), b.merge(joinAnon));
        assertTrue(b.seen(A).isContiguous());
        assertEquals(List.of(ANON), List.copyOf(b.visibleEntries().values()));
    }

    @Test
    void aRemoveSeenByAThirdNodeReachesAPeerThroughItsFullState() {
        // a's leave reaches b but not c (c missed that delta); c learns it from b's full state.
        PresenceState a = stateKnowing(A, B, C);
        PresenceState b = stateKnowing(B, A, C);
        PresenceState c = stateKnowing(C, A, B);
        a.join(ALICE);
        Delta join = a.takeDelta();
        b.merge(join);
        c.merge(join);
        a.leave("video:42", 1);
        b.merge(a.takeDelta());

        assertEquals(PresenceDiff.left(ALICE), c.merge(b.extract(Set.of(A, B))));
        assertNull(b.takeDelta(), "only a replica's own changes are gossiped");
        assertNull(c.takeDelta());
    }

    @Test
    void aDownReplicaIsHiddenAndComesBackWithWhatItHasNow() {
        // netsplit: b stops seeing a; a changes meanwhile; after the heal b merges a's state, then shows it.
        PresenceState a = stateKnowing(A, B);
        PresenceState b = stateKnowing(B, A);
        a.join(ALICE);
        b.merge(a.takeDelta());

        assertEquals(PresenceDiff.left(ALICE), b.replicaDown(A));
        assertEquals(Counts.ZERO, count(b));
        a.leave("video:42", 1);
        a.join(ANON);
        a.takeDelta(); // lost in the split

        assertEquals(PresenceDiff.EMPTY, b.merge(a.extractOwn()), "merged while down: nothing visible changes");
        assertEquals(PresenceDiff.joined(ANON), b.replicaUp(A), "only what a holds now shows up");
    }

    @Test
    void permdownForgetsAReplicaEntirely() {
        PresenceState a = stateKnowing(A, B);
        PresenceState b = stateKnowing(B, A);
        a.join(ALICE);
        b.merge(a.takeDelta());

        assertEquals(PresenceDiff.left(ALICE), b.permdown(A));
        assertFalse(b.knows(A));
        assertEquals(0, b.size(A));
        assertEquals(DotSet.EMPTY, b.seen(A));
        assertEquals(PresenceDiff.EMPTY, b.merge(a.extractOwn()), "an unknown replica's state is not taken second-hand");
    }

    @Test
    void namesThatUtf8WouldAlterAndNegativeNumbersAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Presence.viewer("room:\uD83D", 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Presence.user("room:1", 1, "\uDC00x"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Presence.viewer("room:1", -1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ReplicaId("n\uD800", 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new ReplicaId("n", -1));
        assertEquals("room:\uD83D\uDE00", Presence.viewer("room:\uD83D\uDE00", 1).topic(), "a paired surrogate is fine");
    }

    @Test
    void joiningAgainWithAnotherUserReplacesTheEntry() {
        PresenceState a = new PresenceState(A);
        Presence asViewer = Presence.viewer("video:42", 7);
        Presence asUser = Presence.user("video:42", 7, "bob");
        a.join(asViewer);
        assertEquals(PresenceDiff.EMPTY, a.join(asViewer));
        assertEquals(new PresenceDiff(List.of(asUser), List.of(asViewer)), a.join(asUser));
        assertEquals(1, a.size());
    }

    @Test
    void leaveAllRemovesEveryTopicOfAConnection() {
        PresenceState a = new PresenceState(A);
        a.join(Presence.viewer("video:1", 3));
        a.join(Presence.viewer("video:2", 3));
        a.join(Presence.viewer("video:2", 4));
        PresenceDiff diff = a.leaveAll(3);
        assertEquals(2, diff.leaves().size());
        assertEquals(1, a.size());
        assertEquals(PresenceDiff.EMPTY, a.leaveAll(3));
    }

    private static Counts count(PresenceState s) {
        CountTable t = new CountTable(CountingMode.CONNECTIONS);
        t.apply(new PresenceDiff(List.copyOf(s.visibleEntries().values()), List.of()));
        return t.counts("video:42");
    }
}
