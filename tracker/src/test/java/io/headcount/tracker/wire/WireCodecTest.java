package io.headcount.tracker.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.DotSet;
import io.headcount.tracker.crdt.Presence;
import io.headcount.tracker.crdt.PresenceState;
import io.headcount.tracker.crdt.ReplicaDelta;
import io.headcount.tracker.crdt.ReplicaId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class WireCodecTest {

    static final ReplicaId A = new ReplicaId("node-a", 1_733_000_000_000_000L);
    static final ReplicaId B = new ReplicaId("node-b", 42);
    static final long SENT_AT = 1_796_342_400_000L; // 2026-12-04 in epoch milliseconds
    final WireCodec codec = new WireCodec(8);

    @Test
    void everyKindOfMessageRoundTrips() {
        PresenceState s = new PresenceState(A);
        s.replicaUp(B);
        s.join(Presence.user("video:42", 7, "alice"));
        s.join(Presence.viewer("video:42", 8));
        s.join(Presence.viewer("vidéo:∞", 9));
        s.leave("video:42", 8);
        Delta delta = s.takeDelta();
        for (ReplicationMessage m : List.of(
                new Heartbeat(A, 3, 12345, 18_000),
                new DeltaBroadcast(7, delta, SENT_AT),
                new TransferRequest(B, 0, 99, 17),
                new Transfer(1, 99, 0, true, s.extractOwn()),
                new Transfer(1, 7, 3, false, s.extractOwn(1).get(0)),
                new GracefulPermdown(A))) {
            assertEquals(m, codec.decode(codec.encode(m)));
        }
    }

    @Property(tries = 500, seed = "4181")
    void randomDeltasRoundTrip(@ForAll Random random) {
        Delta d = randomDelta(random);
        assertEquals(d, ((DeltaBroadcast) codec.decode(codec.encode(new DeltaBroadcast(2, d, SENT_AT)))).delta());
    }

    @Test
    void aBatchedJoinCostsAFewBytesBeyondItsTopicAndUser() {
        PresenceState s = new PresenceState(A);
        for (int i = 0; i < 100; i++) {
            s.join(Presence.user("video:42", i, "user-" + i));
        }
        int bytes = codec.encode(new DeltaBroadcast(0, s.takeDelta(), SENT_AT)).length;
        assertTrue(bytes < 100 * 16, "100 joins in one delta took " + bytes + " bytes");
    }

    @Test
    void anotherVersionIsRefusedAsIncompatible() {
        byte[] bytes = codec.encode(new Heartbeat(A, 1, 5, 0));
        bytes[1] = 1;
        IncompatiblePeerException e = assertThrows(IncompatiblePeerException.class, () -> codec.decode(bytes));
        assertTrue(e.getMessage().contains("version 1"), e.getMessage());
    }

    @Test
    void anotherShardCountIsRefusedAsIncompatible() {
        byte[] bytes = new WireCodec(4).encode(new Heartbeat(A, 1, 5, 0));
        IncompatiblePeerException e = assertThrows(IncompatiblePeerException.class, () -> codec.decode(bytes));
        assertTrue(e.getMessage().contains("same shard count"), e.getMessage());
    }

    @Test
    void truncatedBytesFailOnlyAsMalformed() {
        byte[] good = codec.encode(new DeltaBroadcast(2, randomDelta(new Random(1)), SENT_AT));
        for (int cut = 0; cut < good.length; cut++) {
            int n = cut;
            assertThrows(MalformedMessageException.class, () -> codec.decode(good, 0, n));
        }
    }

    @Property(tries = 2000, seed = "4182")
    void corruptBytesFailOnlyAsMalformed(@ForAll Random random) {
        byte[] bad = codec.encode(new DeltaBroadcast(2, randomDelta(new Random(1)), SENT_AT));
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
            bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        }
        try {
            codec.decode(bad);
        } catch (MalformedMessageException expected) {
            // refused cleanly; any other exception fails the property
        }
    }

    static Delta randomDelta(Random random) {
        List<ReplicaDelta> parts = new ArrayList<>();
        for (int p = random.nextInt(4); p > 0; p--) {
            ReplicaId r = new ReplicaId("n" + random.nextInt(5), random.nextLong() & Long.MAX_VALUE);
            DotSet seen = DotSet.EMPTY;
            for (int i = random.nextInt(20); i > 0; i--) {
                long from = 1 + random.nextInt(1000);
                seen = seen.withRange(from, from + random.nextInt(10));
            }
            Map<Long, Presence> entries = new HashMap<>();
            DotSet finalSeen = seen;
            seen.forEach(c -> {
                if (random.nextInt(3) == 0) {
                    String user = random.nextBoolean() ? null : "u" + random.nextInt(100);
                    entries.put(c, new Presence("t" + random.nextInt(5), random.nextLong() & Long.MAX_VALUE, user));
                }
            });
            parts.add(new ReplicaDelta(r, finalSeen, entries));
        }
        return new Delta(new ReplicaId("origin", random.nextInt(1000)), parts);
    }
}
