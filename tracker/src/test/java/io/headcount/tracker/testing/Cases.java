package io.headcount.tracker.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a property over many seeded random cases. A failure names the seed that produced it and, for
 * list-shaped cases, the smallest sub-list found that still fails, so it can be replayed and turned
 * into a named regression test.
 *
 * <p>Seeds are fixed by default, so every run checks the same cases and CI stays deterministic; set
 * {@code -Dheadcount.seed=N} to explore other cases and {@code -Dheadcount.tries=K} to multiply the
 * number of tries.
 */
public final class Cases {

    private Cases() {
    }

    /** The base seed of a property: fixed per name unless {@code headcount.seed} is set. */
    public static long baseSeed(String name) {
        Long override = Long.getLong("headcount.seed");
        return override != null ? override : name.hashCode() * 0x9E3779B97F4A7C15L;
    }

    public static int tries(int n) {
        return n * Integer.getInteger("headcount.tries", 1);
    }

    /** Checks {@code property} on {@code tries} random generators. */
    public static void forAll(String name, int tries, Consumer<Random> property) {
        long base = baseSeed(name);
        for (int i = 0; i < tries(tries); i++) {
            long seed = base + i;
            try {
                property.accept(random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(name + " failed for seed " + seed + " (replay: -Dheadcount.seed=" + seed
                        + " -Dheadcount.tries=1): " + e.getMessage(), e);
            }
        }
    }

    /**
     * Checks {@code property} on {@code tries} generated lists; on failure shrinks the list by
     * dropping chunks while it still fails, and reports the smallest one.
     */
    public static <T> void forAllLists(String name, int tries, Function<Random, List<T>> generator,
            Consumer<List<T>> property) {
        long base = baseSeed(name);
        for (int i = 0; i < tries(tries); i++) {
            long seed = base + i;
            List<T> input = generator.apply(random(seed));
            Throwable failure = failure(property, input);
            if (failure != null) {
                List<T> smallest = shrink(property, input);
                Throwable smallestFailure = failure(property, smallest);
                throw new AssertionError(name + " failed for seed " + seed + " (replay: -Dheadcount.seed=" + seed
                        + " -Dheadcount.tries=1)\nsmallest failing case (" + smallest.size() + " of " + input.size()
                        + "): " + smallest + "\n" + smallestFailure.getMessage(), smallestFailure);
            }
        }
    }

    /**
     * A generator for one case. The seed is scrambled first: {@link Random}'s first outputs for
     * consecutive seeds are nearly identical (its first {@code nextBoolean()} was the same for 300
     * consecutive seeds here), which would make consecutive cases alike.
     */
    public static Random random(long seed) {
        long z = seed + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new Random(z ^ (z >>> 31));
    }

    private static <T> List<T> shrink(Consumer<List<T>> property, List<T> failing) {
        List<T> current = failing;
        for (int chunk = Math.max(1, current.size() / 2); chunk >= 1; chunk = chunk == 1 ? 0 : chunk / 2) {
            boolean progress = true;
            while (progress) {
                progress = false;
                for (int from = 0; from + chunk <= current.size(); from += chunk) {
                    List<T> candidate = new ArrayList<>(current.subList(0, from));
                    candidate.addAll(current.subList(from + chunk, current.size()));
                    if (failure(property, candidate) != null) {
                        current = candidate;
                        progress = true;
                        break;
                    }
                }
            }
        }
        return current;
    }

    private static <T> Throwable failure(Consumer<List<T>> property, List<T> input) {
        try {
            property.accept(input);
            return null;
        } catch (AssertionError | RuntimeException e) {
            return e;
        }
    }
}
