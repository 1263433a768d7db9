package io.headcount.bench;

/**
 * Entry point of the benchmark jar: {@code java -jar benchmarks/target/headcount-benchmarks.jar replication}, and
 * {@code ... check} (the counts checker of {@code deploy/chaos.sh}).
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "replication" : args[0];
        switch (which) {
            case "replication" -> ReplicationFigures.run();
            case "tracker" -> TrackerFigures.run();
            case "cluster" -> ClusterFigures.run();
            case "websocket" -> WebSocketFigures.run(java.util.List.of(args).subList(1, args.length));
            case "jmh" -> org.openjdk.jmh.Main.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            case "check" -> System.exit(CountsChecker.main(java.util.List.of(args).subList(1, args.length)));
            default -> {
                System.err.println("unknown command '" + which + "'; known: replication, tracker, cluster, websocket, jmh, check");
                System.exit(2);
            }
        }
        System.exit(0);
    }
}
