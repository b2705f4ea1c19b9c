package io.keepalive.agent;

import io.keepalive.sidecar.PathIdleTimeout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Idle-timeout discovery against one target: one connection per idle time, keepalive off (nothing
 * of ours crosses the wire while it waits), all held at once so that a round takes as long as the
 * longest idle time, then each used once. Each connection ends as the idle canary's do: survived,
 * closed by the server (FIN: the server's idle timeout, not the path's), lost on the path (no
 * answer, a reset, or the kernel gave up) or unreachable. Its cost per round: one connection and
 * two small GETs per idle time.
 */
final class PathDiscovery {
  /** What became of the connection held idle for {@code idleSeconds}. */
  record Probe(int idleSeconds, CanaryOutcome outcome, String detail) {}

  /**
   * The latest finished round, or the first one still running.
   *
   * @param rounds finished rounds
   * @param completedAt when the latest round finished, null before the first
   */
  record Result(List<Probe> probes, PathIdleTimeout bracket, long rounds, Instant completedAt) {
    static Result pending(List<Integer> idleSeconds) {
      return new Result(
          idleSeconds.stream()
              .map(s -> new Probe(s, CanaryOutcome.Pending, "first round still running"))
              .toList(),
          PathIdleTimeout.NONE,
          0,
          null);
    }
  }

  private final IdleCanary connections;

  PathDiscovery(IdleCanary connections) {
    this.connections = connections;
  }

  /** One round, every idle time on its own thread; returns when the longest has been used. */
  List<Probe> round(TargetUrl url, List<Integer> idleSeconds) throws InterruptedException {
    AtomicReferenceArray<Probe> probes = new AtomicReferenceArray<>(idleSeconds.size());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < idleSeconds.size(); i++) {
      int index = i;
      int idle = idleSeconds.get(i);
      Thread t =
          new Thread(
              () -> {
                IdleCanary.Result r = connections.run(url, idle, false);
                probes.set(index, new Probe(idle, r.state(), r.detail()));
              },
              "discovery-" + idle + "s");
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    try {
      for (Thread t : threads) {
        t.join();
      }
    } finally {
      // blocking sockets ignore interrupts: threads still waiting end with their idle time
      threads.forEach(Thread::interrupt);
    }
    List<Probe> done = new ArrayList<>();
    for (int i = 0; i < probes.length(); i++) {
      done.add(probes.get(i));
    }
    return List.copyOf(done);
  }

  /** Pure: the bracket of one round's connections. */
  static PathIdleTimeout bracket(List<Probe> probes) {
    Integer survived = null;
    Integer lost = null;
    int closed = 0;
    int unreachable = 0;
    for (Probe p : probes) {
      switch (p.outcome()) {
        case Survived ->
            survived = survived == null ? p.idleSeconds() : Math.max(survived, p.idleSeconds());
        case LostOnPath -> lost = lost == null ? p.idleSeconds() : Math.min(lost, p.idleSeconds());
        case ClosedByServer -> closed++;
        case Unreachable -> unreachable++;
        case Pending ->
            throw new IllegalArgumentException("a finished round has no pending connection");
      }
    }
    return new PathIdleTimeout(survived, lost, closed, unreachable, probes.size());
  }
}
