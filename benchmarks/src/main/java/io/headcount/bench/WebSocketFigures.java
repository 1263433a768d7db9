package io.headcount.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.bench.LoadClient.Frame;
import io.headcount.bench.LoadClient.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Figures through real WebSockets: three node JVMs with default settings on loopback, and this JVM as
 * the load generator ({@link LoadClient}), its sockets spread over 8 source addresses 127.0.0.10-17.
 * Scenarios run one after another on the same cluster; each leaves with its sockets closed.
 */
final class WebSocketFigures {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    static final long PUSH_WINDOW_MS = 50;
    private static final String WARM_UP_TOPIC = "big:warm-up";

    private final NodeProcesses nodes;
    private final LoadClient client;

    WebSocketFigures(NodeProcesses nodes, LoadClient client) {
        this.nodes = nodes;
        this.client = client;
    }

    /**
     * Runs the named scenarios, or all: propagation, churn, big-topic, idle on a 3-node cluster, then
     * churn-alone on a single node. For experiments: {@code -Dheadcount.bench.node-flags="--push-window 100ms"},
     * {@code -Dheadcount.bench.churn-seconds=40}, {@code -Dheadcount.node.jvm=<JVM options of the nodes>}.
     */
    static void run(List<String> only) throws Exception {
        System.out.println("| figure | measured | conditions |");
        System.out.println("|---|---|---|");
        List<String> flags = List.of(System.getProperty("headcount.bench.node-flags", "").split(" ")).stream()
                .filter(f -> !f.isBlank()).toList();
        int churnSeconds = Integer.getInteger("headcount.bench.churn-seconds", 10);
        try (NodeProcesses nodes = new NodeProcesses(3, flags); LoadClient client = new LoadClient(8)) {
            nodes.startAll();
            WebSocketFigures f = new WebSocketFigures(nodes, client);
            if (only.isEmpty() || only.contains("propagation")) {
                f.propagation();
            }
            if (only.isEmpty() || only.contains("churn")) {
                f.churn(1_000, 20_000, churnSeconds);
            }
            if (only.isEmpty() || only.contains("big-topic")) {
                f.bigTopic(15_000, 3_000, 1_000);
            }
            if (only.isEmpty() || only.contains("idle")) {
                f.idleConnections(18_000);
            }
            f.reportCloses();
        }
        if (only.isEmpty() || only.contains("churn-alone")) {
            try (NodeProcesses alone = new NodeProcesses(1, flags); LoadClient client = new LoadClient(8)) {
                alone.startAll();
                WebSocketFigures f = new WebSocketFigures(alone, client);
                f.churn(1_000, 20_000, churnSeconds);
                f.reportCloses();
            }
        }
    }

    private void reportCloses() {
        if (client.unexpectedCloses.get() > 0) {
            System.out.println("| sockets closed by a node during the run | " + client.unexpectedCloses.get()
                    + " | none expected |");
        }
    }

    // --- join on node A -> count at a client of node B -------------------------------------------------

    /** Per probe topic: when the probe was sent, the count it should produce, whether it was a join. */
    private static final class Probe {
        volatile long sentAt;
        volatile long expected = -1;
        volatile boolean join;
        long viewers;
    }

    /**
     * One observer socket per topic on node 1, one prober per topic on node 0. Probes alternate join and
     * leave, one every 5 ms over the topics, so a topic's next probe comes long after its previous one
     * has landed.
     */
    void propagation() throws Exception {
        int topics = 50;
        int warmUp = 20;
        int rounds = 40;
        Probe[] probes = new Probe[topics];
        List<Double> joins = Collections.synchronizedList(new ArrayList<>());
        List<Double> leaves = Collections.synchronizedList(new ArrayList<>());
        List<Socket> observers = client.connect(1, nodes.httpPort(1), topics, (s, f, now) -> {
            Probe p = (Probe) s.state;
            if (f.isState()) {
                p.viewers = f.viewers();
            } else if (f.isDiff()) {
                p.viewers += f.viewers();
            } else {
                return;
            }
            if (p.viewers == p.expected) {
                p.expected = -1;
                (p.join ? joins : leaves).add((now - p.sentAt) / 1e6);
            }
        });
        List<Socket> probers = client.connect(0, nodes.httpPort(0), topics, (s, f, now) -> { });
        for (int k = 0; k < topics; k++) {
            probes[k] = new Probe();
            probes[k].expected = 1;
            observers.get(k).state = probes[k];
            observers.get(k).join("probe:" + k);
        }
        nodes.await(() -> joins.size() + leaves.size() == topics, "observers joined");
        long interval = TimeUnit.MILLISECONDS.toNanos(5);
        long next = System.nanoTime();
        for (int r = -warmUp; r < rounds; r++) {
            if (r == 0) {
                int seen = (warmUp + 1) * topics;
                nodes.await(() -> joins.size() + leaves.size() == seen, "warm-up probes seen");
                joins.clear();
                leaves.clear();
                next = System.nanoTime();
            }
            for (int k = 0; k < topics; k++) {
                next += interval;
                LockSupport.parkNanos(next - System.nanoTime());
                Probe p = probes[k];
                p.join = Math.floorMod(r, 2) == 0;
                p.sentAt = System.nanoTime();
                p.expected = p.join ? 2 : 1;
                if (p.join) {
                    probers.get(k).join("probe:" + k);
                } else {
                    probers.get(k).leave("probe:" + k);
                }
            }
        }
        nodes.await(() -> joins.size() + leaves.size() == topics * rounds, "every probe seen by its observer");
        double[] j = sorted(joins);
        double[] l = sorted(leaves);
        double p99 = percentile(j, 0.99);
        System.out.printf(Locale.ROOT, "| join on node A -> count received by a client of node B, p50 / p99 | %.1f / %.1f ms "
                + "(max %.1f ms; leaves: %.1f / %.1f ms) | %d joins and %d leaves, 200 per second over %d topics, each "
                + "seen by an observer socket on another node, after %d warm-up probes; default %d ms push window; target p99 <= window + 25 ms "
                + "= %d ms: %s |%n", percentile(j, 0.5), p99, j[j.length - 1], percentile(l, 0.5), percentile(l, 0.99),
                j.length, l.length, topics, warmUp * topics, PUSH_WINDOW_MS, PUSH_WINDOW_MS + 25,
                p99 <= PUSH_WINDOW_MS + 25 ? "met" : "missed");
        client.close(observers);
        client.close(probers);
    }

    // --- sustained joins and leaves through WebSockets -------------------------------------------------

    /** A churning socket: the topic it toggles, whether it is in, whether a request awaits its reply. */
    private static final class Churner {
        final String topic;
        boolean joined;
        boolean waiting;
        long viewers;

        Churner(String topic) {
            this.topic = topic;
        }
    }

    /**
     * {@code perNode} sockets on each node, socket i toggling topic churn:i (so each topic has one
     * socket per node), all together offering {@code offeredPerNode} joins + leaves per second to each
     * node: each socket sends its next request on its own timer, but only once the previous one is
     * answered, so a node that falls behind is offered less, and the figure is what it answered.
     */
    void churn(int perNode, int offeredPerNode, int seconds) throws Exception {
        AtomicLongArray answered = new AtomicLongArray(nodes.size());
        AtomicLong refused = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        LoadClient.Listener listener = (s, f, now) -> {
            Churner c = (Churner) s.state;
            if (f.isReply() && c.topic.equals(f.topic())) {
                c.waiting = false;
                if ("ok".equals(f.status())) {
                    c.joined = !c.joined;
                    answered.incrementAndGet(s.node);
                } else {
                    refused.incrementAndGet();
                }
            } else if (f.isState()) {
                c.viewers = f.viewers();
            } else if (f.isDiff()) {
                c.viewers += f.viewers();
            }
        };
        List<Socket> sockets = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            List<Socket> onNode = client.connect(n, nodes.httpPort(n), perNode, listener);
            for (int i = 0; i < perNode; i++) {
                onNode.get(i).state = new Churner("churn:" + i);
            }
            sockets.addAll(onNode);
        }
        long periodNanos = TimeUnit.SECONDS.toNanos(1) * perNode / offeredPerNode;
        Random random = new Random(1);
        List<ScheduledFuture<?>> timers = new ArrayList<>();
        for (Socket s : sockets) {
            Churner c = (Churner) s.state;
            timers.add(s.channel.eventLoop().scheduleAtFixedRate(() -> {
                if (c.waiting) {
                    skipped.incrementAndGet();
                    return;
                }
                c.waiting = true;
                if (c.joined) {
                    s.leave(c.topic);
                } else {
                    s.join(c.topic);
                }
            }, random.nextLong(periodNanos), periodNanos, TimeUnit.NANOSECONDS));
        }
        TimeUnit.SECONDS.sleep(2); // warm-up, not counted
        long[] before = snapshot(answered);
        long start = System.nanoTime();
        TimeUnit.SECONDS.sleep(seconds);
        long[] after = snapshot(answered);
        double elapsed = (System.nanoTime() - start) / 1e9;
        timers.forEach(t -> t.cancel(false));
        long stopped = System.nanoTime();
        nodes.await(() -> sockets.stream().noneMatch(s -> onLoop(s, () -> ((Churner) s.state).waiting)),
                "every request answered");
        int[] truth = new int[perNode];
        for (Socket s : sockets) {
            Churner c = (Churner) s.state;
            if (onLoop(s, () -> c.joined)) {
                truth[Integer.parseInt(c.topic.substring("churn:".length()))]++;
            }
        }
        nodes.await(() -> everyNodeCounts("churn:", truth), "every node counts what the sockets hold");
        double converged = (System.nanoTime() - stopped) / 1e6;
        nodes.await(() -> sockets.stream().allMatch(s -> onLoop(s, () -> {
            Churner c = (Churner) s.state;
            return !c.joined || c.viewers == truth[Integer.parseInt(c.topic.substring("churn:".length()))];
        })), "every joined socket's reduced count is the truth");
        double[] rates = new double[nodes.size()];
        for (int n = 0; n < nodes.size(); n++) {
            rates[n] = (after[n] - before[n]) / elapsed;
        }
        double lowest = java.util.Arrays.stream(rates).min().orElseThrow();
        String figure = nodes.size() == 1 ? "for comparison: the same on a single node (no peers)"
                : "sustained joins + leaves per second per node through WebSockets, all nodes converging";
        System.out.printf(Locale.ROOT, "| %s | %,.0f (per node: %s; %d refused) | %,d sockets per node, each toggling "
                + "one of %,d topics, %,d per second offered per node (a socket waits for its reply), %d s after a 2 s "
                + "warm-up, default settings; after the load: every node's /api/topics and every socket's reduced count "
                + "exact, %.0f ms after it stopped; %s |%n", figure, lowest,
                java.util.Arrays.stream(rates).mapToObj(r -> String.format(Locale.ROOT, "%,.0f", r)).toList(),
                refused.get(), perNode, perNode, offeredPerNode, seconds, converged,
                nodes.size() == 1 ? "the 3-node figure above is the one with a goal"
                        : "target >= 20,000: " + (lowest >= 20_000 && refused.get() == 0 ? "met" : "missed"));
        client.close(sockets);
    }

    /** A counter of node {@code n}'s Prometheus page. */
    private long metric(int n, String name) throws Exception {
        return nodes.get(n, "/metrics").lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(name.length() + 1))).orElseThrow();
    }

    private boolean everyNodeCounts(String prefix, int[] truth) {
        try {
            for (int n = 0; n < nodes.size(); n++) {
                for (int k = 0; k < truth.length; k++) {
                    JsonNode counts = JSON.readTree(nodes.get(n, "/api/topics/" + prefix + k));
                    if (counts.at("/viewers/count").asLong() != truth[k]) {
                        return false;
                    }
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    // --- one topic, many subscribers -------------------------------------------------------------------

    /**
     * {@code subscribers} sockets on node 0 joined to one topic; then {@code joiners} sockets on node 1
     * join it at {@code perSecond}. For the m-th join, the time from sending it until the last subscriber
     * had a count that includes m joins.
     */
    void bigTopic(int subscribers, int joiners, int perSecond) throws Exception {
        String topic = "big:0";
        // per event loop, for each count level m: when the last of its sockets reached m joins
        List<long[]> perLoop = Collections.synchronizedList(new ArrayList<>());
        ThreadLocal<long[]> reachedAt = ThreadLocal.withInitial(() -> {
            long[] levels = new long[joiners + 1];
            perLoop.add(levels);
            return levels;
        });
        AtomicLongArray counts = new AtomicLongArray(subscribers); // written by each socket's event loop
        AtomicLongArray warmCounts = new AtomicLongArray(subscribers);
        List<Socket> subs = client.connect(0, nodes.httpPort(0), subscribers, (s, f, now) -> {
            int i = (Integer) s.state;
            boolean warm = f.topic().equals(WARM_UP_TOPIC);
            AtomicLongArray c = warm ? warmCounts : counts;
            long before = c.get(i);
            long after;
            if (f.isState()) {
                after = f.viewers();
            } else if (f.isDiff()) {
                after = before + f.viewers();
            } else {
                return;
            }
            c.set(i, after);
            if (!warm) {
                long[] levels = reachedAt.get();
                for (long m = Math.max(1, before - subscribers + 1); m <= Math.min(joiners, after - subscribers); m++) {
                    levels[(int) m] = Math.max(levels[(int) m], now);
                }
            }
        });
        for (int i = 0; i < subscribers; i++) {
            subs.get(i).state = i;
            subs.get(i).join(WARM_UP_TOPIC);
            subs.get(i).join(topic);
        }
        nodes.await(() -> allReached(counts, subscribers) && allReached(warmCounts, subscribers),
                subscribers + " subscribers counted by each of them");
        List<Socket> joining = client.connect(1, nodes.httpPort(1), joiners, (s, f, now) -> { });
        // the same load on another topic first, so that both JVMs have compiled the code the figure runs
        joinAtRate(joining, WARM_UP_TOPIC, perSecond, new long[joiners + 1]);
        nodes.await(() -> allReached(warmCounts, subscribers + joiners), "warm-up: every subscriber counts every join");
        long[] sentAt = new long[joiners + 1];
        long diffsBefore = metric(0, "headcount_presence_diffs_total");
        joinAtRate(joining, topic, perSecond, sentAt);
        nodes.await(() -> allReached(counts, subscribers + joiners), "every subscriber counts every join");
        long diffs = metric(0, "headcount_presence_diffs_total") - diffsBefore;
        double[] ms = new double[joiners];
        for (int m = 1; m <= joiners; m++) {
            long last = 0;
            synchronized (perLoop) {
                for (long[] levels : perLoop) {
                    last = Math.max(last, levels[m]);
                }
            }
            ms[m - 1] = (last - sentAt[m]) / 1e6;
        }
        java.util.Arrays.sort(ms);
        double p99 = percentile(ms, 0.99);
        System.out.printf(Locale.ROOT, "| one topic with %,d subscribers on a node, %,d joins/s on it: every subscriber "
                + "has the new count, p50 / p99 | %.0f / %.0f ms (max %.0f ms) | %,d joins from sockets on another node "
                + "at %,d/s, after the same on another topic (warm-up); for the m-th join, from sending it until the last "
                + "subscriber counts m joins; default %d ms push window; the node pushed the topic %d times in "
                + "those %.1f s; target p99 <= 250 ms: %s |%n", subscribers, perSecond,
                percentile(ms, 0.5), p99, ms[ms.length - 1], joiners, perSecond, PUSH_WINDOW_MS, diffs,
                (System.nanoTime() - sentAt[1]) / 1e9, p99 <= 250 ? "met" : "missed");
        client.close(joining);
        client.close(subs);
    }

    /** Joins each socket to the topic in turn at {@code perSecond}; {@code sentAt[m]} is when the m-th was sent. */
    private static void joinAtRate(List<Socket> sockets, String topic, int perSecond, long[] sentAt) {
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long next = System.nanoTime();
        for (int j = 0; j < sockets.size(); j++) {
            next += interval;
            LockSupport.parkNanos(next - System.nanoTime());
            sentAt[j + 1] = System.nanoTime();
            sockets.get(j).join(topic);
        }
    }

    private static boolean allReached(AtomicLongArray counts, long level) {
        for (int i = 0; i < counts.length(); i++) {
            if (counts.get(i) != level) {
                return false;
            }
        }
        return true;
    }

    // --- idle connections --------------------------------------------------------------------------------

    /** {@code count} sockets on node 2, each joined to one of 1,000 topics; its heap before and after. */
    void idleConnections(int count) throws Exception {
        long pid = nodes.process(2).pid();
        long heapBefore = heapAfterGc(pid);
        long rssBefore = rss(pid);
        AtomicInteger joined = new AtomicInteger();
        List<Socket> sockets = client.connect(2, nodes.httpPort(2), count, (s, f, now) -> {
            if (f.isReply() && "ok".equals(f.status()) && f.topic().startsWith("idle:")) {
                joined.incrementAndGet();
            }
        });
        for (int i = 0; i < count; i++) {
            sockets.get(i).join("idle:" + (i % 1_000));
        }
        nodes.await(() -> joined.get() == count, "every idle socket joined");
        int[] truth = new int[1_000];
        java.util.Arrays.fill(truth, count / 1_000);
        nodes.await(() -> everyNodeCounts("idle:", truth), "every node counts the idle sockets");
        long heapAfter = heapAfterGc(pid);
        long rssAfter = rss(pid);
        boolean healthy = nodes.status(2, "/healthz") == 200;
        double perConnection = (heapAfter - heapBefore) / (double) count;
        System.out.printf(Locale.ROOT, "| idle connections on one node, heap per connection | %,d open and joined (node "
                + "%s); %,.0f B heap per connection (RSS %,.0f B) | %,d sockets from 8 source addresses, one topic each "
                + "(1,000 topics), heartbeats every 30 s; heap used after a full GC (jcmd GC.run, GC.heap_info), "
                + "before minus after, tracker entries included; the node's limit is 20,000 open files; target "
                + "18,000 and <= 4 KB: %s |%n", count, healthy ? "healthy" : "NOT healthy", perConnection,
                (rssAfter - rssBefore) / (double) count, count, healthy && perConnection <= 4096 ? "met" : "missed");
        client.close(sockets);
    }

    static long heapAfterGc(long pid) throws Exception {
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        if (!m.find()) {
            throw new IllegalStateException("no heap figure from jcmd GC.heap_info");
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    static long rss(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for " + pid);
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    // --- helpers ---------------------------------------------------------------------------------------

    /** Reads a socket's scenario state on its event loop, where it is written. */
    private static <T> T onLoop(Socket s, java.util.concurrent.Callable<T> read) {
        try {
            return s.channel.eventLoop().submit(read).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long[] snapshot(AtomicLongArray a) {
        long[] copy = new long[a.length()];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = a.get(i);
        }
        return copy;
    }

    private static double[] sorted(List<Double> values) {
        synchronized (values) {
            return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
    }

    private static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
