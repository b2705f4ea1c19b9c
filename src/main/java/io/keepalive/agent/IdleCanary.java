package io.keepalive.agent;

import java.io.IOException;

/**
 * The idle canary: one connection with SO_KEEPALIVE on and no per-socket overrides, so the
 * namespace sysctls time its keepalive probes exactly as they do for the workload's sockets. It is
 * held idle, then reused, and tells apart survived, closed by the server, and silently lost on the
 * path. Idle-timeout discovery holds the same kind of connection with keepalive off, so that
 * nothing of ours crosses the wire while it is idle.
 */
final class IdleCanary {
  /**
   * How long a reused canary may wait for its answer before it counts as lost (retransmissions
   * included).
   */
  static final int REUSE_TIMEOUT_MILLIS = 10_000;

  record Result(CanaryOutcome state, int idleSeconds, String detail) {
    static Result pending(int idleSeconds) {
      return new Result(CanaryOutcome.Pending, idleSeconds, "first canary still idle");
    }
  }

  private final OwnSockets own;
  private final int reuseTimeoutMillis;

  IdleCanary(OwnSockets own) {
    this(own, REUSE_TIMEOUT_MILLIS);
  }

  /** A shorter reuse timeout, for tests. */
  IdleCanary(OwnSockets own, int reuseTimeoutMillis) {
    this.own = own;
    this.reuseTimeoutMillis = reuseTimeoutMillis;
  }

  Result run(TargetUrl url, int idleSeconds) {
    return run(url, idleSeconds, true);
  }

  /**
   * @param keepalive SO_KEEPALIVE on the connection (the canary), or off (discovery)
   */
  Result run(TargetUrl url, int idleSeconds, boolean keepalive) {
    HttpConnection connection;
    try {
      connection = HttpConnection.open(url, keepalive, HttpConnection.CONNECT_TIMEOUT_MILLIS, own);
    } catch (IOException | RuntimeException e) {
      return new Result(
          CanaryOutcome.Unreachable, idleSeconds, "cannot connect: " + HttpConnection.describe(e));
    }
    try (connection) {
      HttpConnection.HttpResponse first;
      try {
        first = connection.get(url, HttpConnection.READ_TIMEOUT_MILLIS);
      } catch (IOException | RuntimeException e) {
        return new Result(
            CanaryOutcome.Unreachable,
            idleSeconds,
            "first request failed: " + HttpConnection.describe(e));
      }
      if (!first.keepAlive()) {
        return new Result(
            CanaryOutcome.ClosedByServer,
            idleSeconds,
            "server does not keep connections alive ("
                + first.version()
                + ", Connection: "
                + first.headers().getOrDefault("connection", "-")
                + ")");
      }
      HttpConnection.IdleEnd end = connection.awaitPeer(idleSeconds * 1000L);
      if (end != null) {
        CanaryOutcome outcome = CanaryOutcome.classify(CanaryOutcome.Phase.IDLE, end.event());
        return new Result(
            outcome,
            idleSeconds,
            CanaryOutcome.explain(
                outcome, CanaryOutcome.Phase.IDLE, end.event(), end.afterSeconds(), idleSeconds));
      }
      SocketEvent event;
      try {
        connection.get(url, reuseTimeoutMillis);
        event = SocketEvent.ANSWERED;
      } catch (IOException e) {
        event = SocketEvent.of(e);
      }
      CanaryOutcome outcome = CanaryOutcome.classify(CanaryOutcome.Phase.REUSE, event);
      return new Result(
          outcome,
          idleSeconds,
          CanaryOutcome.explain(
              outcome, CanaryOutcome.Phase.REUSE, event, idleSeconds, idleSeconds));
    }
  }
}
