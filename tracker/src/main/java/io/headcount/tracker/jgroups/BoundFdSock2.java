package io.headcount.tracker.jgroups;

import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.blocks.cs.NioServer;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_SOCK2;

/**
 * FD_SOCK2 with two additions, wire-compatible with it (same protocol id and headers):
 * <ul>
 *   <li>its outgoing sockets bind to {@code bind_addr} as its listening socket does (stock FD_SOCK2
 *       leaves the client side unbound, so on a multi-homed host its connections would leave from
 *       whatever address the kernel picks);</li>
 *   <li>it reports the members it suspects as soon as it does. FD_SOCK2 suspects a member when the
 *       socket to it closes, which is what a killed process does at once; the view without the
 *       member follows only after VERIFY_SUSPECT2 has confirmed it. Every member hears the
 *       suspicion (the detecting neighbour broadcasts it), so each can stop counting the dead
 *       node's presences right away. A wrong suspicion is repaired like a healed partition.</li>
 * </ul>
 */
public class BoundFdSock2 extends FD_SOCK2 {

    private volatile Consumer<List<Address>> suspectListener = suspects -> { };

    public BoundFdSock2() {
        setId(ClassConfigurator.getProtocolId(FD_SOCK2.class));
    }

    /** Receives the members suspected, on a JGroups thread; must return quickly. */
    public void setSuspectListener(Consumer<List<Address>> listener) {
        this.suspectListener = listener;
    }

    @Override
    protected NioServer createServer(int[] bindPorts) {
        NioServer server = super.createServer(bindPorts);
        server.clientBindAddress(bind_addr);
        return server;
    }

    @Override
    protected void suspect(Collection<Address> suspects) {
        if (suspects != null) {
            List<Address> others = suspects.stream().filter(a -> !a.equals(local_addr)).toList();
            if (!others.isEmpty()) {
                suspectListener.accept(others);
            }
        }
        super.suspect(suspects);
    }
}
