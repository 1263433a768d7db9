package io.headcount.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Holds real client connections to a cluster (through its load balancer) while someone else breaks
 * it, and compares what each client is shown with the truth: how many of its clients are connected
 * and joined right now. Clients that lose their socket reconnect and rejoin, as the phoenix client
 * does. Prints the worst divergence, how long divergence lasted, and whether every client ended on
 * the truth; exits 0 only then.
 *
 * <pre>java -jar headcount-benchmarks.jar check --url ws://127.0.0.1:4000/socket --clients 30 --duration 60s</pre>
 */
final class CountsChecker {


    private final String url;
    private final String topic;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final List<Client> clients = new ArrayList<>();

    CountsChecker(String url, String topic) {
        this.url = url.endsWith("/websocket") ? url : url + "/websocket";
        this.topic = topic;
    }

    /** One anonymous client: its socket, whether it is joined, the viewers it was shown. */
    final class Client implements WebSocket.Listener {
        volatile WebSocket socket;
        volatile boolean joined;
        volatile long viewers = -1;
        private final StringBuilder text = new StringBuilder();

        void connect() {
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(3))
                    .buildAsync(URI.create(url + "?vsn=2.0.0"), this)
                    .whenComplete((ws, error) -> {
                        if (error != null) {
                            retry();
                        } else {
                            socket = ws;
                            send("[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
                        }
                    });
        }

        void send(String frame) {
            WebSocket ws = socket;
            if (ws != null) {
                synchronized (this) {
                    ws.sendText(frame, true).exceptionally(e -> null).join();
                }
            }
        }

        private void retry() {
            joined = false;
            socket = null;
            viewers = -1;
            timers.schedule(this::connect, ThreadLocalRandom.current().nextLong(100, 500), TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    LoadClient.Frame f = LoadClient.parse(text.toString());
                    if (f.isReply() && "1".equals(f.ref()) && "ok".equals(f.status())) {
                        joined = true;
                    } else if (f.isState()) {
                        viewers = f.viewers();
                    } else if (f.isDiff()) {
                        viewers += f.viewers();
                    }
                } catch (Exception e) {
                    // not a frame we count
                }
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            retry();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            retry();
        }
    }

    /** Runs for {@code duration}, then waits up to {@code settle} for every client to show the truth. */
    int run(int count, Duration duration, Duration settle) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            Client c = new Client();
            clients.add(c);
            c.connect();
        }
        timers.scheduleAtFixedRate(() -> clients.forEach(c -> c.send("[null,\"hb\",\"phoenix\",\"heartbeat\",{}]")),
                10, 10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long settleEnd = end + settle.toNanos();
        long worst = 0;
        double worstAt = 0;
        long divergingSince = -1;
        long longest = 0;
        long samples = 0;
        long divergentSamples = 0;
        long settledAfter = -1;
        boolean warm = false; // divergence counts once every client has joined the first time
        while (true) {
            long now = System.nanoTime();
            long truth = clients.stream().filter(c -> c.joined).count();
            warm |= truth == count;
            long divergence = 0;
            for (Client c : clients) {
                if (c.joined && c.viewers >= 0) {
                    divergence = Math.max(divergence, Math.abs(c.viewers - truth));
                }
            }
            if (!warm) {
                divergence = 0;
            }
            samples++;
            if (divergence > 0) {
                divergentSamples++;
                if (divergingSince < 0) {
                    divergingSince = now;
                }
                longest = Math.max(longest, now - divergingSince);
            } else {
                divergingSince = -1;
            }
            if (divergence > worst) {
                worst = divergence;
                worstAt = (now - start) / 1e9;
            }
            boolean allExact = truth == count && divergence == 0
                    && clients.stream().allMatch(c -> c.joined && c.viewers == count);
            if (now >= end && allExact) {
                settledAfter = (now - end) / 1_000_000;
                break;
            }
            if (now >= settleEnd) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        timers.shutdownNow();
        clients.forEach(c -> {
            WebSocket ws = c.socket;
            if (ws != null) {
                ws.abort();
            }
        });
        System.out.printf(Locale.ROOT, "checker: %d clients on %s for %ds: worst divergence %d (at %.1f s), longest "
                + "divergence %d ms, divergent %.1f%% of samples%n", count, topic, duration.toSeconds(), worst, worstAt,
                longest / 1_000_000, 100.0 * divergentSamples / samples);
        if (settledAfter >= 0) {
            System.out.printf(Locale.ROOT, "verdict: PASS - every client shows the truth (%d viewers) %d ms after the "
                    + "chaos ended%n", count, settledAfter);
            return 0;
        }
        long joined = clients.stream().filter(c -> c.joined).count();
        System.out.printf(Locale.ROOT, "verdict: FAIL - after %ds of settling, %d of %d clients joined, shown: %s%n",
                settle.toSeconds(), joined, count, clients.stream().map(c -> Long.toString(c.viewers)).toList());
        return 1;
    }

    static int main(List<String> args) throws InterruptedException {
        String url = "ws://127.0.0.1:4000/socket";
        String topic = "video:chaos-" + Long.toHexString(System.nanoTime() & 0xffffff);
        int count = 30;
        Duration duration = Duration.ofSeconds(60);
        Duration settle = Duration.ofSeconds(30);
        for (int i = 0; i + 1 < args.size(); i += 2) {
            String v = args.get(i + 1);
            switch (args.get(i)) {
                case "--url" -> url = v;
                case "--topic" -> topic = v;
                case "--clients" -> count = Integer.parseInt(v);
                case "--duration" -> duration = Duration.ofSeconds(Long.parseLong(v.replace("s", "")));
                case "--settle" -> settle = Duration.ofSeconds(Long.parseLong(v.replace("s", "")));
                default -> throw new IllegalArgumentException("unknown option " + args.get(i)
                        + "; check [--url WS] [--topic T] [--clients N] [--duration 60s] [--settle 30s]");
            }
        }
        return new CountsChecker(url, topic).run(count, duration, settle);
    }
}
