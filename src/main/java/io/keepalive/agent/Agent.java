package io.keepalive.agent;

import io.keepalive.policy.spec.HttpTarget;
import io.keepalive.sidecar.AgentConfig;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sidecar's observations: sysctls and socket census every probe interval on one daemon thread,
 * and one {@link TargetMonitor} per HTTP target. Holds only the latest snapshots; /status and
 * /metrics read them.
 */
final class Agent {
  private final AgentConfig config;
  private final KeepaliveSysctls sysctls;
  private final Path procNet;
  private final OwnSockets own;
  // Not thread-safe; used by one thread at a time: start()'s first observation, then the observe
  // thread, whose
  // schedule start() makes only after that observation.
  private final SocketCensus.Reader censusReader = new SocketCensus.Reader();
  private final List<TargetMonitor> monitors = new ArrayList<>();
  private final ScheduledExecutorService observer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "observe");
            t.setDaemon(true);
            return t;
          });
  private volatile SysctlsObservation sysctlsObservation;
  // never null: a failed read keeps the last census and sets censusError
  private volatile SocketCensus census = SocketCensus.EMPTY;
  private volatile String censusError;
  private volatile Instant observedAt;

  Agent(AgentConfig config, KeepaliveSysctls sysctls, Path procNet) {
    this.config = config;
    this.sysctls = sysctls;
    this.procNet = procNet;
    this.own = new OwnSockets();
    for (HttpTarget t : config.targets()) {
      monitors.add(
          new TargetMonitor(
              t,
              config.probeIntervalSeconds(),
              config.canaryIdleSeconds(),
              config.discoveryIdleSeconds(),
              config.discoveryRepeatSeconds(),
              own));
    }
  }

  void start() {
    observe();
    SysctlsObservation s = sysctlsObservation;
    Log.info(
        s.observed() == null
            ? s.error()
            : "sysctls in force: "
                + s.observed().describe()
                + (s.inSync() ? " (as desired)" : "; drift: " + String.join("; ", s.drift())));
    long interval = Math.max(1, config.probeIntervalSeconds());
    observer.scheduleWithFixedDelay(this::observe, interval, interval, TimeUnit.SECONDS);
    for (int i = 0; i < monitors.size(); i++) {
      monitors.get(i).start(i);
    }
  }

  void stop() {
    observer.shutdownNow();
    monitors.forEach(TargetMonitor::stop);
  }

  private void observe() {
    try {
      SysctlsObservation before = sysctlsObservation;
      sysctlsObservation = SysctlsObservation.read(sysctls, config.desired());
      if (before != null && before.inSync() != sysctlsObservation.inSync()) {
        Log.info(
            "sysctls "
                + (sysctlsObservation.inSync()
                    ? "now as desired"
                    : "drifted: " + String.join("; ", sysctlsObservation.drift())));
      }
      try {
        census =
            censusReader.read(
                procNet, own.localPorts(), config.port(), config.desired().timeSeconds());
        censusError = null;
      } catch (IOException e) {
        censusError = "cannot read " + procNet + "/tcp: " + e.getMessage();
      }
      observedAt = Instant.now();
    } catch (RuntimeException e) {
      Log.info("observation failed: " + e); // keep the schedule alive
    }
  }

  JsonObject status() {
    return AgentStatus.build(
        config, sysctlsObservation, census, censusError, targetReports(), observedAt);
  }

  List<TargetReport> targetReports() {
    return monitors.stream().map(TargetMonitor::report).toList();
  }

  /**
   * One target's report: a gauge reads one target, building all of them would make a scrape N^2.
   */
  TargetReport targetReport(int index) {
    return monitors.get(index).report();
  }

  SysctlsObservation sysctls() {
    return sysctlsObservation;
  }

  SocketCensus census() {
    return census;
  }
}
