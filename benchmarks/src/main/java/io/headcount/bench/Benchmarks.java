package io.headcount.bench;

/**
 * Entry point of the benchmark jar: {@code java -jar benchmarks/target/headcount-benchmarks.jar replication}.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "replication" : args[0];
        switch (which) {
            case "replication" -> ReplicationFigures.run();
            default -> {
                System.err.println("unknown benchmark '" + which + "'; known: replication");
                System.exit(2);
            }
        }
        System.exit(0);
    }
}
