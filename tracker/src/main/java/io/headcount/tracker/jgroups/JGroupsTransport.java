package io.headcount.tracker.jgroups;

import io.headcount.tracker.crdt.ReplicaId;
import io.headcount.tracker.replication.Transport;
import io.headcount.tracker.wire.GracefulPermdown;
import io.headcount.tracker.wire.IncompatiblePeerException;
import io.headcount.tracker.wire.MalformedMessageException;
import io.headcount.tracker.wire.ReplicationMessage;
import io.headcount.tracker.wire.ShardCountMismatchException;
import io.headcount.tracker.wire.WireCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster transport over one JGroups channel: the only class that sends or receives through
 * JGroups. Members are JGroups addresses; the tracker speaks of replicas, so each address is mapped
 * to the replica id found in its messages.
 *
 * <p>JGroups calls {@link #receive} and {@link #viewAccepted} on its own threads; both only decode
 * and hand over to the tracker, which queues the work on its shard threads.
 */
public final class JGroupsTransport implements Transport, Receiver {

    private static final Logger log = LoggerFactory.getLogger(JGroupsTransport.class);
    private static final String STACK = "headcount-tcp.xml";

    private final JGroupsSettings settings;
    private final WireCodec codec;
    private final Counter bytesSent;
    private final Counter bytesReceived;
    private final Counter refused;
    private final Map<Address, ReplicaId> replicaByAddress = new ConcurrentHashMap<>();
    private final Map<ReplicaId, Address> addressByReplica = new ConcurrentHashMap<>();
    private final Set<Address> reportedPeers = ConcurrentHashMap.newKeySet();
    /** Members suspected since the last view, so that FD_SOCK2's repeated broadcasts are reported once. */
    private final Set<Address> suspected = ConcurrentHashMap.newKeySet();
    private volatile View view;
    private volatile String incompatibility;
    private volatile Transport.Receiver receiver;
    private JChannel channel;

    public JGroupsTransport(JGroupsSettings settings, int shardCount, MeterRegistry registry) {
        this.settings = settings;
        this.codec = new WireCodec(shardCount);
        bytesSent = Counter.builder("headcount.replication.bytes").tag("direction", "sent")
                .description("Replication payload bytes handed to JGroups (a broadcast counts once)").register(registry);
        bytesReceived = Counter.builder("headcount.replication.bytes").tag("direction", "received")
                .description("Replication payload bytes received").register(registry);
        refused = Counter.builder("headcount.replication.refused")
                .description("Messages refused as malformed or from an incompatible peer").register(registry);
    }

    /** The stack file with this node's settings filled in. */
    static String renderStack(JGroupsSettings s) throws IOException {
        String xml;
        if (s.stackFile() != null) {
            xml = java.nio.file.Files.readString(s.stackFile());
        } else {
            try (InputStream in = JGroupsTransport.class.getResourceAsStream(STACK)) {
                if (in == null) {
                    throw new IOException("JGroups stack " + STACK + " missing from the class path");
                }
                xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        String hosts = s.initialHosts().stream()
                .map(h -> h.getHostString() + "[" + h.getPort() + "]")
                .collect(Collectors.joining(","));
        String discovery = s.dnsQuery() == null
                ? "<TCPPING async_discovery=\"true\" initial_hosts=\"" + hosts + "\" port_range=\"0\" "
                        + "return_entire_cache=\"true\"/>"
                : "<dns.DNS_PING dns_query=\"" + s.dnsQuery() + "\" dns_record_type=\"A\" async_discovery=\"true\" "
                        + "num_discovery_runs=\"3\"/>";
        Map<String, String> values = Map.of(
                "headcount.discovery", discovery,
                "headcount.bind_addr", s.bindAddress().getHostAddress(),
                "headcount.bind_port", Integer.toString(s.bindPort()),
                "headcount.fd_offset", Integer.toString(s.fdOffset()),
                "headcount.fd_all_timeout", s.failureTimeout().toMillis() + "ms",
                "headcount.verify_suspect_timeout", s.suspectTimeout().toMillis() + "ms");
        for (Map.Entry<String, String> e : values.entrySet()) {
            xml = xml.replaceAll("\\$\\{" + e.getKey().replace(".", "\\.") + "(:[^}]*)?}",
                    java.util.regex.Matcher.quoteReplacement(e.getValue()));
        }
        return xml;
    }

    @Override
    public void start(Transport.Receiver r) throws Exception {
        this.receiver = r;
        String xml = renderStack(settings);
        channel = new JChannel(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        channel.name(settings.nodeName());
        BoundFdSock2 failureDetection = channel.getProtocolStack().findProtocol(BoundFdSock2.class);
        if (failureDetection != null) {
            failureDetection.setSuspectListener(this::onSuspected);
        }
        channel.setReceiver(this);
        channel.setDiscardOwnMessages(true);
        log.info("joining cluster '{}' as {} on {}:{} (failure detection on port {}), finding members {}",
                settings.clusterName(), settings.nodeName(), settings.bindAddress().getHostAddress(),
                settings.bindPort(), settings.bindPort() + settings.fdOffset(), settings.dnsQuery() == null
                        ? "at " + settings.initialHosts() : "by DNS name " + settings.dnsQuery());
        try {
            channel.connect(settings.clusterName());
        } catch (Exception e) {
            channel.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- JGroups callbacks

    @Override
    public void receive(Message msg) {
        ReplicationMessage message;
        try {
            message = codec.decode(msg.getArray(), msg.getOffset(), msg.getLength());
        } catch (ShardCountMismatchException e) {
            refused.increment();
            onShardCountMismatch(msg.getSrc(), e);
            return;
        } catch (IncompatiblePeerException e) {
            refused.increment();
            if (reportedPeers.add(msg.getSrc())) {
                log.warn("ignoring messages from {}: {}", msg.getSrc(), e.getMessage());
            }
            return;
        } catch (MalformedMessageException e) {
            refused.increment();
            if (reportedPeers.add(msg.getSrc())) {
                log.warn("dropping a malformed message from {}: {}", msg.getSrc(), e.getMessage());
            }
            return;
        }
        bytesReceived.increment(msg.getLength());
        ReplicaId sender = message.sender();
        Address src = msg.getSrc();
        if (!src.equals(addressByReplica.get(sender))) {
            addressByReplica.put(sender, src);
            replicaByAddress.put(src, sender);
        }
        receiver.onMessage(message);
    }

    /**
     * Refuses a peer with another shard count, loudly. The coordinator (the oldest member) is taken
     * as the cluster's reference: a node that disagrees with it declares itself incompatible (not
     * ready, and says why), so one misconfigured node is singled out instead of the cluster being
     * silently split.
     */
    private void onShardCountMismatch(Address peer, ShardCountMismatchException e) {
        View v = view;
        boolean fromCoordinator = v != null && peer.equals(v.getCoord());
        if (fromCoordinator) {
            if (incompatibility == null) {
                incompatibility = "this node runs " + e.ours() + " shards but the cluster's coordinator " + peer
                        + " runs " + e.theirs() + ": every node must use the same shard count";
                log.error("{}; this node takes no part in the cluster and reports not ready", incompatibility);
            }
        } else if (reportedPeers.add(peer)) {
            log.error("refusing member {}: it runs {} shards, this cluster {}", peer, e.theirs(), e.ours());
        }
    }

    /** Members whose failure-detection socket closed: most likely killed. Hidden now, confirmed by the view. */
    private void onSuspected(List<Address> suspects) {
        View v = view;
        Set<ReplicaId> replicas = new HashSet<>();
        for (Address a : suspects) {
            ReplicaId r = replicaByAddress.get(a);
            if (r != null && v != null && v.containsMember(a) && suspected.add(a)) {
                replicas.add(r);
            }
        }
        if (!replicas.isEmpty()) {
            receiver.onMembersSuspected(replicas);
        }
    }

    @Override
    public String incompatibility() {
        return incompatibility;
    }

    @Override
    public void viewAccepted(View newView) {
        View old = view;
        view = newView;
        suspected.clear();
        log.info("view {}", newView);
        if (old == null) {
            return;
        }
        Set<ReplicaId> left = new HashSet<>();
        for (Address a : View.leftMembers(old, newView)) {
            reportedPeers.remove(a);
            ReplicaId r = replicaByAddress.remove(a);
            if (r != null) {
                addressByReplica.remove(r, a);
                left.add(r);
            }
        }
        if (!left.isEmpty()) {
            receiver.onMembersLeft(left);
        }
        if (!View.newMembers(old, newView).isEmpty()) {
            receiver.onMembersJoined();
        }
    }

    // ---------------------------------------------------------------- Transport

    @Override
    public void broadcast(ReplicationMessage message) {
        send((Address) null, message);
    }

    @Override
    public void send(ReplicaId replica, ReplicationMessage message) {
        Address address = addressByReplica.get(replica);
        if (address != null) {
            send(address, message);
        }
    }

    private void send(Address destination, ReplicationMessage message) {
        try {
            byte[] bytes = codec.encode(message);
            Message m = new BytesMessage(destination, bytes);
            if (message instanceof GracefulPermdown) {
                m.setFlag(Message.Flag.RSVP); // the channel closes right after: wait until everyone has it
            }
            channel.send(m);
            bytesSent.increment(bytes.length);
        } catch (IllegalArgumentException e) {
            log.error("cannot encode {}: {}", message.getClass().getSimpleName(), e.getMessage());
        } catch (Exception e) {
            // closed channel or a member that just left: the heartbeat/transfer cycle repairs what is lost
            log.debug("send to {} failed: {}", destination == null ? "all" : destination, e.toString());
        }
    }

    @Override
    public boolean isMember(ReplicaId replica) {
        Address address = addressByReplica.get(replica);
        View v = view;
        return address != null && v != null && v.containsMember(address);
    }

    @Override
    public List<String> members() {
        View v = view;
        return v == null ? List.of() : v.getMembers().stream().map(String::valueOf).toList();
    }

    /** The channel, for fault injection in tests and benchmarks (DISCARD, crash); null before {@link #start}. */
    public JChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close();
        }
    }
}
