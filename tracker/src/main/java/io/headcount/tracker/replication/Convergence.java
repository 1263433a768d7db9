package io.headcount.tracker.replication;

/**
 * How long changes took to reach this node: from the oldest change of each delta on its origin node
 * to its merge here, by wall clocks. {@code samples} counts every delta merged since start; the
 * percentiles and the maximum cover the last 5-10 s, and are NaN when nothing came in the last 5 s.
 */
public record Convergence(long samples, double p50Millis, double p99Millis, double maxMillis) {
}
