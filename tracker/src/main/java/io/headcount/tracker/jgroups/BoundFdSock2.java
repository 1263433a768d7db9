package io.headcount.tracker.jgroups;

import org.jgroups.blocks.cs.NioServer;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_SOCK2;

/**
 * FD_SOCK2 whose outgoing sockets bind to {@code bind_addr} as its listening socket does. Stock
 * FD_SOCK2 leaves the client side unbound, so on a multi-homed host (or several loopback addresses)
 * its connections would leave from whatever address the kernel picks. Same protocol id and headers
 * as FD_SOCK2, so it interoperates with it.
 */
public class BoundFdSock2 extends FD_SOCK2 {

    public BoundFdSock2() {
        setId(ClassConfigurator.getProtocolId(FD_SOCK2.class));
    }

    @Override
    protected NioServer createServer(int[] bindPorts) {
        NioServer server = super.createServer(bindPorts);
        server.clientBindAddress(bind_addr);
        return server;
    }
}
