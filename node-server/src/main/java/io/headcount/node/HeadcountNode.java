package io.headcount.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.headcount.node.auth.TokenService;
import io.headcount.node.config.NodeSettings;
import io.headcount.node.http.HttpApi;
import io.headcount.node.netty.HeadcountServer;
import io.headcount.node.netty.NodeMetrics;
import io.headcount.node.phoenix.PhoenixFrames;
import io.headcount.node.presence.PushTimer;
import io.headcount.node.presence.TopicFeeds;
import io.headcount.tracker.Tracker;
import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.jgroups.JGroupsSettings;
import io.headcount.tracker.jgroups.JGroupsTransport;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.security.SecureRandom;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running node: the tracker (joined to the cluster), the count fan-out and the Netty server,
 * started in that order so that no socket is served before counts can be.
 */
public final class HeadcountNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HeadcountNode.class);

    private final NodeSettings settings;
    private final HeadcountServer server = new HeadcountServer();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Tracker tracker;
    private volatile boolean ready;
    private volatile boolean draining;
    private volatile boolean clusterFormed;
    private volatile boolean closed;

    public HeadcountNode(NodeSettings settings) {
        this.settings = settings;
    }

    public HeadcountNode start() throws Exception {
        if (settings.developmentSecret()) {
            log.warn("no token secret set (--secret / HEADCOUNT_SECRET): using the public development secret; "
                    + "anyone can mint tokens for this node");
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        ObjectMapper json = new ObjectMapper();
        PhoenixFrames frames = HeadcountServer.frames(json);
        TopicFeeds feeds = new TopicFeeds(settings.sockets().pushWindow(), settings.sockets().pushMode(), PushTimer.on(server.workers()), frames, registry);
        ReplicaId self = new ReplicaId(settings.nodeName(), newIncarnation());
        log.info("cluster sockets bind to {} ({})", settings.bind().address().getHostAddress(), settings.bind().reason());
        JGroupsSettings cluster = new JGroupsSettings(settings.clusterName(), settings.nodeName(),
                settings.bind().address(), settings.clusterPort(), settings.seeds(), NodeSettings.FAILURE_DETECTION_OFFSET,
                settings.failureTimeout(), Duration.ofMillis(500), settings.dnsDiscovery(),
                settings.jgroupsStack());
        try {
            tracker = startTracker(self, cluster, feeds);
            NodeMetrics metrics = new NodeMetrics(registry);
            tracker.reportConnections(metrics::openSockets);
            HttpApi api = new HttpApi(tracker, feeds, settings.sockets().topics(), registry, this::notReadyReason, json);
            server.start(settings, tracker, feeds, frames, json, api, new TokenService(settings.secrets()),
                    metrics, this::notReadyReason);
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        ready = true;
        log.info("node {} ready", self);
        return this;
    }

    private Tracker startTracker(ReplicaId self, JGroupsSettings cluster, TopicFeeds feeds) throws Exception {
        try {
            return Tracker.start(settings.tracker(), self, new JGroupsTransport(cluster, settings.tracker().shards(),
                    registry), feeds, registry);
        } catch (java.net.BindException e) {
            throw new IllegalStateException("cannot bind the cluster ports " + settings.bind().address().getHostAddress() + ":"
                    + settings.clusterPort() + " and :" + (settings.clusterPort() + NodeSettings.FAILURE_DETECTION_OFFSET)
                    + " (failure detection): " + e.getMessage(), e);
        }
    }

    /**
     * Why the node should get no new sockets now, or null. Besides draining and an incompatible cluster, a
     * node that has never been in a view of {@code --min-members} stays out: it likely cannot reach its
     * peers (a wrong bind address, a closed port) and would show its own clients only their own counts.
     * Once that size was reached, losing members later does not take the node out.
     */
    String notReadyReason() {
        if (draining || !ready) {
            return draining ? "node shutting down" : "node starting";
        }
        String incompatibility = tracker.status().incompatibility();
        if (incompatibility != null) {
            return incompatibility;
        }
        if (!clusterFormed) {
            int members = tracker.status().members().size();
            if (members < settings.minMembers()) {
                return "in a cluster of " + members + ", waiting for at least " + settings.minMembers()
                        + " members: check --bind (" + settings.bind().address().getHostAddress()
                        + ") and that the peers can reach its ports";
            }
            clusterFormed = true;
        }
        return null;
    }

    public Tracker tracker() {
        return tracker;
    }

    /**
     * Shuts down in the order that loses nothing: not ready and no new sockets (upgrades get 503, so a
     * load balancer retries elsewhere), this node's presences purged on the peers (graceful permdown),
     * open sockets closed with 1012 spread over the drain period (clients reconnect to other nodes),
     * then the port closed.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        ready = false;
        draining = true;
        if (tracker != null) {
            tracker.close();
        }
        try {
            server.drain(settings.drainPeriod());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.close();
        log.info("node {} stopped", settings.nodeName());
    }

    /**
     * A new incarnation at every start: microseconds of wall-clock time plus random low bits, so a
     * restart is normally ordered after its previous life (and peers cope when it is not).
     */
    private static long newIncarnation() {
        return System.currentTimeMillis() * 1000 + new SecureRandom().nextInt(1000);
    }
}
