package io.headcount.node.netty;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** Counters of the WebSocket side of a node. */
public final class NodeMetrics {

    private final AtomicInteger sockets = new AtomicInteger();
    private final Counter joins;
    private final Counter leaves;
    private final Counter received;
    private final Counter sent;
    private final MeterRegistry registry;

    public NodeMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("headcount.sockets", sockets, AtomicInteger::get).description("Open WebSockets")
                .register(registry);
        joins = Counter.builder("headcount.channel.joins").description("Topic joins accepted").register(registry);
        leaves = Counter.builder("headcount.channel.leaves").description("Topic leaves, explicit or by socket close")
                .register(registry);
        received = Counter.builder("headcount.traffic.bytes").tag("direction", "received").baseUnit("bytes")
                .description("Bytes on the HTTP and WebSocket port").register(registry);
        sent = Counter.builder("headcount.traffic.bytes").tag("direction", "sent").baseUnit("bytes")
                .description("Bytes on the HTTP and WebSocket port").register(registry);
    }

    void socketOpened() {
        sockets.incrementAndGet();
    }

    void socketClosed() {
        sockets.decrementAndGet();
    }

    void joined() {
        joins.increment();
    }

    void left(int n) {
        leaves.increment(n);
    }

    void received(int bytes) {
        received.increment(bytes);
    }

    void sent(int bytes) {
        sent.increment(bytes);
    }

    /** A refused input or a forced close, by reason (a fixed, small set of names). */
    void rejected(String reason) {
        Counter.builder("headcount.rejections").tag("reason", reason)
                .description("Requests, frames and joins refused, by reason").register(registry).increment();
    }

    public int openSockets() {
        return sockets.get();
    }
}
