package io.keepalive.agent;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Local ports of the agent's own open client sockets, so that the census can leave them out: the
 * agent's pooled and canary connections say nothing about the workload. The agent's server port is
 * not here: the census leaves it out on its own.
 */
public final class OwnSockets {
  private final ConcurrentHashMap<Integer, Integer> open = new ConcurrentHashMap<>();
  // A live view rather than a copy per observation: the census only asks contains(), and a
  // connection opened or
  // closed while it counts is at most one observation off either way.
  private final Set<Integer> localPorts = Collections.unmodifiableSet(open.keySet());

  void opened(int localPort) {
    open.merge(localPort, 1, Integer::sum);
  }

  void closed(int localPort) {
    open.computeIfPresent(localPort, (p, n) -> n > 1 ? n - 1 : null);
  }

  public Set<Integer> localPorts() {
    return localPorts;
  }
}
