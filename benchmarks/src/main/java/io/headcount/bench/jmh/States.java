package io.headcount.bench.jmh;

import io.headcount.tracker.crdt.Presence;
import io.headcount.tracker.crdt.PresenceState;
import io.headcount.tracker.crdt.ReplicaId;

/** States for the micro-benchmarks: {@code entries} presences over 1,000 topics, one in three logged in. */
public final class States {

    public static final ReplicaId A = new ReplicaId("node-a", 1);
    public static final ReplicaId B = new ReplicaId("node-b", 1);

    private States() {
    }

    public static String topic(long i) {
        return "video:" + (i % 1000);
    }

    public static Presence presence(long connection) {
        return new Presence(topic(connection), connection, connection % 3 == 0 ? "user-" + connection : null);
    }

    /** A replica holding {@code entries} presences of its own. */
    public static PresenceState withEntries(ReplicaId self, int entries) {
        PresenceState s = new PresenceState(self);
        for (long c = 0; c < entries; c++) {
            s.join(presence(c));
        }
        s.takeDelta();
        return s;
    }

    /** A replica that has merged everything {@code source} holds. */
    public static PresenceState replicaOf(PresenceState source, ReplicaId self) {
        PresenceState s = new PresenceState(self);
        s.replicaUp(source.self());
        s.merge(source.extractOwn());
        return s;
    }
}
