package io.keepalive.agent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local ports of the agent's own open sockets, so that the census can leave them out: the agent's pooled and
 * canary connections say nothing about the workload.
 */
public final class OwnSockets {
    private final ConcurrentHashMap<Integer, Integer> open = new ConcurrentHashMap<>();
    private final int serverPort;

    public OwnSockets(int serverPort) {
        this.serverPort = serverPort;
    }

    void opened(int localPort) {
        open.merge(localPort, 1, Integer::sum);
    }

    void closed(int localPort) {
        open.computeIfPresent(localPort, (p, n) -> n > 1 ? n - 1 : null);
    }

    public Set<Integer> localPorts() {
        Set<Integer> ports = new java.util.HashSet<>(open.keySet());
        ports.add(serverPort);
        return ports;
    }
}
