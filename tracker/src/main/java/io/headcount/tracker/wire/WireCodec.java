package io.headcount.tracker.wire;

import io.headcount.tracker.crdt.Delta;
import io.headcount.tracker.crdt.DotSet;
import io.headcount.tracker.crdt.Presence;
import io.headcount.tracker.crdt.ReplicaDelta;
import io.headcount.tracker.crdt.ReplicaId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of {@link ReplicationMessage}s: compact, versioned, never Java serialization.
 *
 * <pre>
 * message  = magic:u8 'H'  version:u8  kind:u8  shardCount:varint  shard:varint (0 = all, else shard+1)
 *            replicas:table  topics:table  body
 * table    = n:varint  n × item           replica item = node:string  incarnation:varint
 *                                         topic item   = string
 * heartbeat body        = clock:varint  connections:varint   (the sender is replica 0)
 * transfer request body = requestId:varint  seenPrefix:varint
 * delta body            = firstChangeMillis:varint  state
 * state                 = parts:varint  parts × (replica:varint  dots  entries)
 * transfer body         = requestId:varint  chunk:varint  last:u8  state
 * dots     = ranges:varint  ranges × (start - previousEnd:varint  end - start:varint)
 * entries  = n:varint  n × (clock - previousClock:varint  topic:varint  connection:varint  user:nullable string)
 * </pre>
 * Each replica id and topic is written once per message and referred to by its index, and clocks
 * are written as differences, so a batched join costs a few bytes beyond its topic and user id.
 * A decoder refuses another version or another shard count with {@link IncompatiblePeerException}.
 */
public final class WireCodec {

    static final int MAGIC = 'H';
    public static final int VERSION = 2;

    private static final int HEARTBEAT = 1;
    private static final int DELTA = 2;
    private static final int TRANSFER_REQUEST = 3;
    private static final int TRANSFER = 4;
    private static final int GRACEFUL_PERMDOWN = 5;

    private final int shardCount;

    public WireCodec(int shardCount) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shard count must be at least 1, was " + shardCount);
        }
        this.shardCount = shardCount;
    }

    public byte[] encode(ReplicationMessage message) {
        Tables tables = new Tables();
        tables.replica(message.sender());
        WireWriter body = new WireWriter(64);
        int kind;
        if (message instanceof Heartbeat h) {
            kind = HEARTBEAT;
            body.writeVarLong(h.clock());
            body.writeVarLong(h.connections());
        } else if (message instanceof DeltaBroadcast d) {
            kind = DELTA;
            body.writeVarLong(d.firstChangeMillis());
            writeDelta(d.delta(), tables, body);
        } else if (message instanceof TransferRequest r) {
            kind = TRANSFER_REQUEST;
            body.writeVarLong(r.requestId());
            body.writeVarLong(r.seenPrefix());
        } else if (message instanceof Transfer t) {
            kind = TRANSFER;
            body.writeVarLong(t.requestId());
            body.writeVarInt(t.chunk());
            body.writeByte(t.last() ? 1 : 0);
            writeDelta(t.state(), tables, body);
        } else if (message instanceof GracefulPermdown) {
            kind = GRACEFUL_PERMDOWN;
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
        byte[] bodyBytes = body.toByteArray();
        WireWriter out = new WireWriter(bodyBytes.length + 32 + 16 * tables.replicas.size());
        out.writeByte(MAGIC);
        out.writeByte(VERSION);
        out.writeByte(kind);
        out.writeVarInt(shardCount);
        out.writeVarInt(message.shard() == ReplicationMessage.ALL_SHARDS ? 0 : message.shard() + 1);
        out.writeVarInt(tables.replicas.size());
        for (ReplicaId r : tables.replicas.keySet()) {
            out.writeString(r.node());
            out.writeVarLong(r.incarnation());
        }
        out.writeVarInt(tables.topics.size());
        for (String topic : tables.topics.keySet()) {
            out.writeString(topic);
        }
        byte[] head = out.toByteArray();
        byte[] all = Arrays.copyOf(head, head.length + bodyBytes.length);
        System.arraycopy(bodyBytes, 0, all, head.length, bodyBytes.length);
        return all;
    }

    public ReplicationMessage decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    public ReplicationMessage decode(byte[] bytes, int offset, int length) {
        try {
            return read(new WireReader(bytes, offset, length));
        } catch (ArithmeticException e) {
            throw new MalformedMessageException("clock out of range");
        } catch (IllegalArgumentException e) {
            // a value the records refuse: empty node name, unordered dots, entry outside its dots
            throw new MalformedMessageException(e.getMessage());
        }
    }

    private ReplicationMessage read(WireReader in) {
        if (in.readByte() != MAGIC) {
            throw new MalformedMessageException("not a Headcount replication message (bad magic byte)");
        }
        int version = in.readByte();
        if (version != VERSION) {
            throw new IncompatiblePeerException("wire format version " + version + " is not supported (this node speaks "
                    + VERSION + ")");
        }
        int kind = in.readByte();
        int theirShards = in.readVarInt();
        if (theirShards != shardCount) {
            throw new ShardCountMismatchException(theirShards, shardCount);
        }
        int shardField = in.readVarInt();
        if (shardField > shardCount) {
            throw new MalformedMessageException("shard " + (shardField - 1) + " out of range");
        }
        int shard = shardField - 1;
        List<ReplicaId> replicas = new ArrayList<>();
        for (int i = in.readCount(); i > 0; i--) {
            replicas.add(new ReplicaId(in.readString(), in.readVarLong()));
        }
        if (replicas.isEmpty()) {
            throw new MalformedMessageException("message names no sender");
        }
        List<String> topics = new ArrayList<>();
        for (int i = in.readCount(); i > 0; i--) {
            topics.add(in.readString());
        }
        ReplicaId sender = replicas.get(0);
        boolean perShard = kind != GRACEFUL_PERMDOWN;
        if (perShard == (shard < 0)) {
            throw new MalformedMessageException("message kind " + kind + " with shard field " + shardField);
        }
        ReplicationMessage message = switch (kind) {
            case HEARTBEAT -> new Heartbeat(sender, shard, in.readVarLong(), in.readVarLong());
            case DELTA -> {
                long firstChangeMillis = in.readVarLong();
                yield new DeltaBroadcast(shard, readDelta(in, sender, replicas, topics), firstChangeMillis);
            }
            case TRANSFER_REQUEST -> new TransferRequest(sender, shard, in.readVarLong(), in.readVarLong());
            case TRANSFER -> new Transfer(shard, in.readVarLong(), in.readVarInt(), readFlag(in),
                    readDelta(in, sender, replicas, topics));
            case GRACEFUL_PERMDOWN -> new GracefulPermdown(sender);
            default -> throw new MalformedMessageException("unknown message kind " + kind);
        };
        if (in.remaining() != 0) {
            throw new MalformedMessageException(in.remaining() + " trailing bytes");
        }
        return message;
    }

    private static void writeDelta(Delta delta, Tables tables, WireWriter out) {
        out.writeVarInt(delta.parts().size());
        for (ReplicaDelta part : delta.parts()) {
            out.writeVarInt(tables.replica(part.replica()));
            out.writeVarInt(part.seen().rangeCount());
            long[] previousEnd = {0};
            part.seen().forEachRange((from, to) -> {
                out.writeVarLong(from - previousEnd[0]);
                out.writeVarLong(to - from);
                previousEnd[0] = to;
            });
            Long[] clocks = part.entries().keySet().toArray(new Long[0]);
            Arrays.sort(clocks);
            out.writeVarInt(clocks.length);
            long previous = 0;
            for (Long clock : clocks) {
                Presence p = part.entries().get(clock);
                out.writeVarLong(clock - previous);
                out.writeVarInt(tables.topic(p.topic()));
                out.writeVarLong(p.connection());
                out.writeNullableString(p.userId());
                previous = clock;
            }
        }
    }

    private static Delta readDelta(WireReader in, ReplicaId origin, List<ReplicaId> replicas, List<String> topics) {
        List<ReplicaDelta> parts = new ArrayList<>();
        for (int n = in.readCount(); n > 0; n--) {
            ReplicaId replica = at(replicas, in.readVarInt(), "replica");
            int rangeCount = in.readCount();
            long[] ranges = new long[rangeCount * 2];
            long previousEnd = 0;
            for (int i = 0; i < rangeCount; i++) {
                long from = Math.addExact(previousEnd, in.readVarLong());
                long to = Math.addExact(from, in.readVarLong());
                ranges[2 * i] = from;
                ranges[2 * i + 1] = to;
                previousEnd = to;
            }
            DotSet seen = DotSet.ofRanges(ranges);
            Map<Long, Presence> entries = new HashMap<>();
            long clock = 0;
            for (int i = in.readCount(); i > 0; i--) {
                clock = Math.addExact(clock, in.readVarLong());
                String topic = at(topics, in.readVarInt(), "topic");
                entries.put(clock, new Presence(topic, in.readVarLong(), in.readNullableString()));
            }
            parts.add(new ReplicaDelta(replica, seen, entries));
        }
        return new Delta(origin, parts);
    }

    private static boolean readFlag(WireReader in) {
        int b = in.readByte();
        if (b > 1) {
            throw new MalformedMessageException("flag byte " + b);
        }
        return b == 1;
    }

    private static <T> T at(List<T> table, int index, String what) {
        if (index >= table.size()) {
            throw new MalformedMessageException(what + " index " + index + " outside a table of " + table.size());
        }
        return table.get(index);
    }

    /** Replica ids and topics of one message, each numbered at its first use. */
    private static final class Tables {
        final Map<ReplicaId, Integer> replicas = new LinkedHashMap<>();
        final Map<String, Integer> topics = new LinkedHashMap<>();

        int replica(ReplicaId r) {
            return replicas.computeIfAbsent(r, x -> replicas.size());
        }

        int topic(String t) {
            return topics.computeIfAbsent(t, x -> topics.size());
        }
    }
}
