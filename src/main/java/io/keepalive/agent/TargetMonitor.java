package io.keepalive.agent;

import io.keepalive.policy.spec.HttpTarget;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the agent watches about one HTTP target, each on its own daemon thread because each
 * blocks for its own reasons: pooled-connection rounds every probe interval, the idle-timeout
 * measurement (waits for the server to close), the idle canary (waits canaryIdleSeconds) and, when
 * asked for, idle-timeout discovery (one round every discoveryRepeatSeconds). A bad URL starts no
 * thread and is reported as such.
 */
final class TargetMonitor {
  private final HttpTarget target;
  private final TargetUrl url;
  private final String urlError;
  private final int probeIntervalSeconds;
  private final int canaryIdleSeconds;
  private final List<Integer> discoveryIdleSeconds;
  private final int discoveryRepeatSeconds;
  private final OwnSockets own;
  private final List<Thread> threads = new ArrayList<>();
  private final HttpTargetProbe probe;
  private volatile IdleTimeoutMeasurement.Result idleTimeout;
  private volatile IdleCanary.Result canary;
  private volatile long canaryRuns;
  private volatile PathDiscovery.Result discovery;

  /**
   * @param discoveryIdleSeconds idle times of discovery; empty: no discovery
   */
  TargetMonitor(
      HttpTarget target,
      int probeIntervalSeconds,
      int canaryIdleSeconds,
      List<Integer> discoveryIdleSeconds,
      int discoveryRepeatSeconds,
      OwnSockets own) {
    this.target = target;
    this.probeIntervalSeconds = probeIntervalSeconds;
    this.canaryIdleSeconds = canaryIdleSeconds;
    this.discoveryIdleSeconds = discoveryIdleSeconds;
    this.discoveryRepeatSeconds = discoveryRepeatSeconds;
    this.own = own;
    TargetUrl parsed = null;
    String error = null;
    try {
      parsed = TargetUrl.parse(target.getUrl());
    } catch (IllegalArgumentException e) {
      error = "bad URL '" + target.getUrl() + "': " + e.getMessage();
    }
    this.url = parsed;
    this.urlError = error;
    this.probe = parsed == null ? null : new HttpTargetProbe(parsed, own);
    this.canary =
        parsed == null
            ? new IdleCanary.Result(CanaryOutcome.Unreachable, canaryIdleSeconds, error)
            : IdleCanary.Result.pending(canaryIdleSeconds);
    this.discovery =
        discoveryIdleSeconds.isEmpty() ? null : PathDiscovery.Result.pending(discoveryIdleSeconds);
  }

  void start(int index) {
    if (url == null) {
      Log.info(urlError + "; not probing it");
      return;
    }
    // The probe is not thread-safe, so its pooled connection is closed by its own thread when
    // stop() ends the
    // loop, not by the thread calling stop().
    threads.add(loop("probe-" + index, this::probeRound, probe::close));
    threads.add(loop("idle-timeout-" + index, this::measureIdleTimeout, () -> {}));
    threads.add(loop("canary-" + index, this::runCanary, () -> {}));
    if (discovery != null) {
      threads.add(
          loop("discovery-" + index, this::discover, discoveryRepeatSeconds * 1000L, () -> {}));
    }
  }

  private Thread loop(String name, Runnable body, Runnable atEnd) {
    return loop(name, body, probeIntervalSeconds * 1000L, atEnd);
  }

  private Thread loop(String name, Runnable body, long pauseMillis, Runnable atEnd) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    body.run();
                    Thread.sleep(pauseMillis);
                  } catch (InterruptedException e) {
                    return;
                  } catch (RuntimeException e) {
                    Log.info(name + " " + target.getUrl() + ": unexpected " + e);
                  }
                }
              } finally {
                atEnd.run();
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void probeRound() {
    HttpTargetProbe.Result before = probe.last();
    HttpTargetProbe.Result now = probe.round();
    if (before == null
        || before.reachable() != now.reachable()
        || !Objects.equals(before.error(), now.error())) {
      Log.info(
          target.getUrl()
              + ": "
              + (now.reachable()
                  ? "reachable, " + now.httpVersion() + ", keep-alive " + now.keepAlive()
                  : now.error()));
    }
  }

  private void measureIdleTimeout() {
    try {
      IdleTimeoutMeasurement.Result r =
          new IdleTimeoutMeasurement(own)
              .measure(
                  url, IdleTimeoutMeasurement.limitSeconds(target.getClientIdleTimeoutSeconds()));
      if (idleTimeout == null || !Objects.equals(idleTimeout.detail(), r.detail())) {
        Log.info(target.getUrl() + ": " + r.detail());
      }
      idleTimeout = r;
    } catch (IOException | RuntimeException e) {
      // unreachable: the probe round reports it; keep the last measurement
    }
  }

  private void runCanary() {
    IdleCanary.Result r = new IdleCanary(own).run(url, canaryIdleSeconds);
    canaryRuns++;
    if (canary.state() != r.state()) {
      Log.info(target.getUrl() + ": canary " + r.state() + ": " + r.detail());
    }
    canary = r;
  }

  private void discover() {
    List<PathDiscovery.Probe> probes;
    try {
      probes = new PathDiscovery(new IdleCanary(own)).round(url, discoveryIdleSeconds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    PathDiscovery.Result r =
        new PathDiscovery.Result(
            probes, PathDiscovery.bracket(probes), discovery.rounds() + 1, Instant.now());
    Log.info(target.getUrl() + ": idle-timeout discovery: " + r.bracket().summary());
    discovery = r;
  }

  TargetReport report() {
    HttpTargetProbe.Result p = probe == null ? null : probe.last();
    return new TargetReport(
        target.getUrl(),
        target.getClientIdleTimeoutSeconds(),
        urlError,
        p,
        idleTimeout,
        canary,
        canaryRuns,
        discovery);
  }

  void stop() {
    // Blocking socket I/O ignores interrupts: a thread mid-round ends after it (its connections are
    // closed by
    // then), or dies with the process first.
    threads.forEach(Thread::interrupt);
  }
}
