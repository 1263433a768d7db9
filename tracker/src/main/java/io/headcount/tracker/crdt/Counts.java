package io.headcount.tracker.crdt;

/** The two numbers a topic shows: anonymous {@code viewers} and logged-in {@code users}. */
public record Counts(long viewers, long users) {

    public static final Counts ZERO = new Counts(0, 0);

    public Counts {
        if (viewers < 0 || users < 0) {
            throw new IllegalArgumentException("counts never go negative: viewers=" + viewers + ", users=" + users);
        }
    }

    public Counts plus(Counts other) {
        return new Counts(viewers + other.viewers, users + other.users);
    }

    /** Applies a diff as a client does: {@code count += joins - leaves}. */
    public Counts apply(CountChange change) {
        return new Counts(viewers + change.joins().viewers() - change.leaves().viewers(),
                users + change.joins().users() - change.leaves().users());
    }

    public boolean isZero() {
        return viewers == 0 && users == 0;
    }
}
