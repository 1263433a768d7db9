package io.headcount.node;

import io.headcount.node.auth.TokenService;
import io.headcount.node.config.BindAddress;
import io.headcount.node.config.Durations;
import io.headcount.node.config.HostList;
import io.headcount.node.config.NodeSettings;
import io.headcount.node.config.PushMode;
import io.headcount.node.config.SocketSettings;
import io.headcount.node.phoenix.TopicPolicy;
import io.headcount.tracker.TrackerConfig;
import io.headcount.tracker.crdt.CountingMode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar headcount-node.jar [options]} runs a node; {@code ... token --user ID} mints a token.
 * Every option can also come from the environment variable named in its help.
 */
@Command(name = "headcount-node", mixinStandardHelpOptions = true, version = "Headcount 0.1.0",
        subcommands = Main.Token.class, sortOptions = false,
        description = {"Runs a Headcount node: Phoenix Channels v2 WebSockets on /socket/websocket counting "
                + "viewers and users per topic across a JGroups cluster, plus /healthz, /readyz, /metrics, "
                + "/api/topics/{topic} and /api/cluster.",
                "With no options at all it is a cluster of one on http://127.0.0.1:4000."})
public final class Main implements Callable<Integer> {

    /** Public and well known: only for development, and a warning says so. */
    static final String DEVELOPMENT_SECRET = "headcount-development-secret-do-not-use-in-production";

    @Option(names = "--node-name", paramLabel = "NAME", defaultValue = "${env:HEADCOUNT_NODE_NAME}",
            description = "Unique, stable name of this node; a restart under the same name replaces its previous "
                    + "life at once (env HEADCOUNT_NODE_NAME; default: <hostname>-<http-port>).")
    String nodeName;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "${env:HEADCOUNT_BIND:-127.0.0.1}",
            description = "Address of every cluster socket (and of the HTTP port unless --http-bind is given): an "
                    + "address or host name, 'auto' (the only non-loopback IPv4 address, as in a container or pod) or "
                    + "a subnet a.b.c.d/n (the local address in it) (env HEADCOUNT_BIND; default ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--http-bind", paramLabel = "ADDRESS", defaultValue = "${env:HEADCOUNT_HTTP_BIND}",
            description = "Address of the HTTP and WebSocket port, e.g. 0.0.0.0 (env HEADCOUNT_HTTP_BIND; default: the "
                    + "--bind address).")
    String httpBind;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "${env:HEADCOUNT_HTTP_PORT:-4000}",
            description = "HTTP and WebSocket port (env HEADCOUNT_HTTP_PORT; default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--cluster-port", paramLabel = "PORT", defaultValue = "${env:HEADCOUNT_CLUSTER_PORT:-7800}",
            description = "JGroups port; failure detection also listens on this port + 100 "
                    + "(env HEADCOUNT_CLUSTER_PORT; default ${DEFAULT-VALUE}).")
    int clusterPort;

    @Option(names = "--cluster-hosts", paramLabel = "HOSTS", defaultValue = "${env:HEADCOUNT_CLUSTER_HOSTS}",
            description = "Members to contact at start, as host[port],host[port] "
                    + "(env HEADCOUNT_CLUSTER_HOSTS; default: only this node).")
    String clusterHosts;

    @Option(names = "--discovery", paramLabel = "HOW", defaultValue = "${env:HEADCOUNT_DISCOVERY:-static}",
            description = "How members find each other: 'static' (the --cluster-hosts list) or 'dns:NAME' (every "
                    + "address the DNS name resolves to, on the cluster port: a Docker Compose service, a Kubernetes "
                    + "headless service) (env HEADCOUNT_DISCOVERY; default ${DEFAULT-VALUE}).")
    String discovery;

    @Option(names = "--min-members", paramLabel = "N", defaultValue = "${env:HEADCOUNT_MIN_MEMBERS:-1}",
            description = "The node reports ready and takes sockets only once it has been in a cluster of at least N "
                    + "members, so a node that cannot reach its peers gets no clients "
                    + "(env HEADCOUNT_MIN_MEMBERS; default ${DEFAULT-VALUE}).")
    int minMembers;

    @Option(names = "--jgroups-stack", paramLabel = "FILE", defaultValue = "${env:HEADCOUNT_JGROUPS_STACK}",
            description = "A JGroups stack file of your own, with the placeholders of the built-in one "
                    + "(env HEADCOUNT_JGROUPS_STACK; default: built in).")
    String jgroupsStack;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "${env:HEADCOUNT_CLUSTER_NAME:-headcount}",
            description = "Nodes join only a cluster of the same name (env HEADCOUNT_CLUSTER_NAME; default ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--secret", paramLabel = "SECRET", defaultValue = "${env:HEADCOUNT_SECRET}",
            description = "Token secret, at least 16 bytes; several separated by commas accept older tokens during a "
                    + "rotation, the first signs (env HEADCOUNT_SECRET; default: a public development secret, "
                    + "with a warning).")
    String secret;

    @Option(names = "--refuse-invalid-tokens", defaultValue = "${env:HEADCOUNT_REFUSE_INVALID_TOKENS:-false}",
            description = "Refuse sockets whose token does not verify (HTTP 403) instead of counting them as "
                    + "viewers (env HEADCOUNT_REFUSE_INVALID_TOKENS; default ${DEFAULT-VALUE}).")
    boolean refuseInvalidTokens;

    @Option(names = "--users", paramLabel = "MODE", defaultValue = "${env:HEADCOUNT_USERS:-connections}",
            description = "How users are counted: 'connections' (one per logged-in socket) or 'distinct' (one per "
                    + "user id) (env HEADCOUNT_USERS; default ${DEFAULT-VALUE}).")
    String users;

    @Option(names = "--push-mode", paramLabel = "MODE", defaultValue = "${env:HEADCOUNT_PUSH_MODE:-diff}",
            description = "'diff': presence_diff with joins and leaves (the original front end adds them up); "
                    + "'state': presence_state with the absolute counts at every change "
                    + "(env HEADCOUNT_PUSH_MODE; default ${DEFAULT-VALUE}).")
    String pushMode;

    @Option(names = "--push-window", paramLabel = "DURATION", defaultValue = "${env:HEADCOUNT_PUSH_WINDOW:-50ms}",
            description = "Count changes of a topic are gathered this long into one presence_diff; 0ms sends each "
                    + "at once (env HEADCOUNT_PUSH_WINDOW; default ${DEFAULT-VALUE}).")
    String pushWindow;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "${env:HEADCOUNT_IDLE_TIMEOUT:-60s}",
            description = "Close sockets that send nothing, heartbeats included, for this long "
                    + "(env HEADCOUNT_IDLE_TIMEOUT; default ${DEFAULT-VALUE}).")
    String idleTimeout;

    @Option(names = "--max-frame-size", paramLabel = "BYTES", defaultValue = "${env:HEADCOUNT_MAX_FRAME_SIZE:-65536}",
            description = "Largest WebSocket message accepted, fragments included (env HEADCOUNT_MAX_FRAME_SIZE; "
                    + "default ${DEFAULT-VALUE}).")
    int maxFrameSize;

    @Option(names = "--max-topics-per-socket", paramLabel = "N",
            defaultValue = "${env:HEADCOUNT_MAX_TOPICS_PER_SOCKET:-100}",
            description = "Topics one socket may join (env HEADCOUNT_MAX_TOPICS_PER_SOCKET; default ${DEFAULT-VALUE}).")
    int maxTopics;

    @Option(names = "--join-rate", paramLabel = "N", defaultValue = "${env:HEADCOUNT_JOIN_RATE:-20}",
            description = "Joins per second one socket may make, with bursts up to its topic limit; more get an error "
                    + "reply, and a socket that keeps being refused is closed with 1008 "
                    + "(env HEADCOUNT_JOIN_RATE; default ${DEFAULT-VALUE}).")
    int joinRate;

    @Option(names = "--topics", paramLabel = "PATTERNS", defaultValue = "${env:HEADCOUNT_TOPICS:-*}",
            description = "Topics sockets may join, comma-separated: '*' (any namespace:id), a topic, or a prefix "
                    + "ending in '*' such as 'video:*' (env HEADCOUNT_TOPICS; default ${DEFAULT-VALUE}).")
    String topics;

    @Option(names = "--write-buffer", paramLabel = "BYTES", defaultValue = "${env:HEADCOUNT_WRITE_BUFFER:-65536}",
            description = "Bytes queued for a socket before it counts as a slow reader: pushes to it are skipped and "
                    + "replaced by the latest counts once it catches up (env HEADCOUNT_WRITE_BUFFER; "
                    + "default ${DEFAULT-VALUE}).")
    int writeBuffer;

    @Option(names = "--slow-reader-timeout", paramLabel = "DURATION",
            defaultValue = "${env:HEADCOUNT_SLOW_READER_TIMEOUT:-10s}",
            description = "A socket that stays a slow reader this long is closed "
                    + "(env HEADCOUNT_SLOW_READER_TIMEOUT; default ${DEFAULT-VALUE}).")
    String slowReaderTimeout;

    @Option(names = "--drain-period", paramLabel = "DURATION", defaultValue = "${env:HEADCOUNT_DRAIN_PERIOD:-5s}",
            description = "On SIGTERM, sockets are closed with 1012 spread over this period "
                    + "(env HEADCOUNT_DRAIN_PERIOD; default ${DEFAULT-VALUE}).")
    String drainPeriod;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "${env:HEADCOUNT_SHARDS:-4}",
            description = "Shards topics are spread over; must be equal on every node (env HEADCOUNT_SHARDS; "
                    + "default ${DEFAULT-VALUE}).")
    int shards;

    @Option(names = "--flush-window", paramLabel = "DURATION", defaultValue = "${env:HEADCOUNT_FLUSH_WINDOW:-2ms}",
            description = "Local changes are gathered this long into one delta for the other nodes "
                    + "(env HEADCOUNT_FLUSH_WINDOW; default ${DEFAULT-VALUE}).")
    String flushWindow;

    @Option(names = "--max-delta-size", paramLabel = "N", defaultValue = "${env:HEADCOUNT_MAX_DELTA_SIZE:-1000}",
            description = "A delta is sent before its flush window ends once it holds this many changes "
                    + "(env HEADCOUNT_MAX_DELTA_SIZE; default ${DEFAULT-VALUE}).")
    int maxDeltaSize;

    @Option(names = "--heartbeat-interval", paramLabel = "DURATION",
            defaultValue = "${env:HEADCOUNT_HEARTBEAT_INTERVAL:-1s}",
            description = "How often each shard announces its clock to find lost deltas "
                    + "(env HEADCOUNT_HEARTBEAT_INTERVAL; default ${DEFAULT-VALUE}).")
    String heartbeatInterval;

    @Option(names = "--permdown-period", paramLabel = "DURATION", defaultValue = "${env:HEADCOUNT_PERMDOWN_PERIOD:-5m}",
            description = "How long the hidden presences of a node that left the view are kept in case it comes back "
                    + "(env HEADCOUNT_PERMDOWN_PERIOD; default ${DEFAULT-VALUE}).")
    String permdownPeriod;

    @Option(names = "--history-size", paramLabel = "N", defaultValue = "${env:HEADCOUNT_HISTORY_SIZE:-10000}",
            description = "Dots and entries of recent deltas kept, so a peer that missed some gets only those "
                    + "(env HEADCOUNT_HISTORY_SIZE; default ${DEFAULT-VALUE}).")
    int historySize;

    @Option(names = "--transfer-chunk", paramLabel = "N", defaultValue = "${env:HEADCOUNT_TRANSFER_CHUNK:-5000}",
            description = "Entries per message when a node's whole state is transferred "
                    + "(env HEADCOUNT_TRANSFER_CHUNK; default ${DEFAULT-VALUE}).")
    int transferChunk;

    @Option(names = "--failure-timeout", paramLabel = "DURATION", defaultValue = "${env:HEADCOUNT_FAILURE_TIMEOUT:-6s}",
            description = "A member silent this long (paused, cut off) is suspected; a killed process is detected "
                    + "at once (env HEADCOUNT_FAILURE_TIMEOUT; default ${DEFAULT-VALUE}).")
    String failureTimeout;

    @Override
    public Integer call() throws Exception {
        NodeSettings settings = settings();
        HeadcountNode node = new HeadcountNode(settings).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "headcount-shutdown"));
        stopped.await();
        return 0;
    }

    /** The settings a command line and the environment give, validated; for embedding and tests. */
    public static NodeSettings parseSettings(String... args) throws UnknownHostException {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        return main.settings();
    }

    NodeSettings settings() throws UnknownHostException {
        BindAddress bindAddress = BindAddress.resolve(bind);
        InetAddress httpAddress = httpBind == null || httpBind.isBlank() ? bindAddress.address()
                : BindAddress.resolve(httpBind).address();
        String dns = null;
        if (discovery.startsWith("dns:")) {
            dns = discovery.substring(4);
        } else if (!discovery.equals("static")) {
            throw new IllegalArgumentException("--discovery must be 'static' or 'dns:NAME', was '" + discovery + "'");
        }
        String name = nodeName != null && !nodeName.isBlank() ? nodeName : defaultNodeName();
        List<String> secrets = new ArrayList<>();
        boolean development = secret == null || secret.isBlank();
        if (development) {
            secrets.add(DEVELOPMENT_SECRET);
        } else {
            for (String s : secret.split(",")) {
                if (!s.isBlank()) {
                    secrets.add(s.trim());
                }
            }
        }
        CountingMode mode = switch (users) {
            case "connections" -> CountingMode.CONNECTIONS;
            case "distinct" -> CountingMode.DISTINCT;
            default -> throw new IllegalArgumentException("--users must be 'connections' or 'distinct', was '" + users + "'");
        };
        TrackerConfig tracker = TrackerConfig.defaults()
                .withShards(shards)
                .withFlushWindow(Durations.parse(flushWindow))
                .withMaxDeltaSize(maxDeltaSize)
                .withHeartbeatInterval(Durations.parse(heartbeatInterval))
                .withPermdownPeriod(Durations.parse(permdownPeriod))
                .withHistorySize(historySize)
                .withTransferChunk(transferChunk)
                .withCountingMode(mode);
        SocketSettings sockets = new SocketSettings(refuseInvalidTokens, Durations.parse(pushWindow),
                PushMode.parse(pushMode), Durations.parse(idleTimeout), maxFrameSize, maxTopics, joinRate,
                TopicPolicy.parse(topics), writeBuffer, Durations.parse(slowReaderTimeout));
        java.nio.file.Path stack = null;
        if (jgroupsStack != null && !jgroupsStack.isBlank()) {
            stack = java.nio.file.Path.of(jgroupsStack);
            if (!java.nio.file.Files.isReadable(stack)) {
                throw new IllegalArgumentException("--jgroups-stack " + stack + " is not a readable file");
            }
        }
        return new NodeSettings(name, bindAddress, httpAddress, httpPort, clusterPort, HostList.parse(clusterHosts), dns,
                stack, minMembers, clusterName,
                secrets, development, Durations.parse(drainPeriod), Durations.parse(failureTimeout), sockets, tracker);
    }

    private String defaultNodeName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "headcount";
            }
        }
        return host + "-" + httpPort;
    }

    /** Prints a signed token for a user on standard output, and nothing else. */
    @Command(name = "token", mixinStandardHelpOptions = true,
            description = "Prints a signed token for a user, to pass as ?token=... when connecting.")
    static final class Token implements Callable<Integer> {

        @Option(names = "--user", required = true, paramLabel = "ID", description = "The user id the token carries.")
        String user;

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h",
                description = "How long the token is valid (default ${DEFAULT-VALUE}).")
        String ttl;

        @Option(names = "--secret", paramLabel = "SECRET", defaultValue = "${env:HEADCOUNT_SECRET}",
                description = "The secret the nodes verify with; the first if several are given "
                        + "(env HEADCOUNT_SECRET; default: the development secret).")
        String secret;

        @Override
        public Integer call() {
            String signing = secret == null || secret.isBlank() ? DEVELOPMENT_SECRET : secret.split(",")[0].trim();
            String token = new TokenService(List.of(signing)).mint(user, Durations.parse(ttl), Instant.now());
            System.out.println(token);
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; errors are one line on standard error and exit code 2. */
    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, params) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("headcount-node: " + e.getMessage()
                    + " (options may also come from HEADCOUNT_* environment variables; try --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof UnknownHostException) {
                commandLine.getErr().println("headcount-node: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
