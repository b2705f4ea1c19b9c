package io.keepalive.agent;

import io.keepalive.sidecar.KeepaliveSysctl;
import io.keepalive.sidecar.KeepaliveValues;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.CounterMetricFamily;
import io.prometheus.client.GaugeMetricFamily;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * /metrics, written at scrape time from the agent's latest snapshots: a value the agent does not
 * know (sysctls it cannot read, a target not probed yet) has no series, never NaN. No JVM metrics:
 * they cost memory and CPU a sidecar should not spend. Seconds and counts never share a metric, and
 * no metric has states that overlap (a sum over a label means something).
 */
final class AgentMetrics extends Collector {
  /** Metric name piece per sysctl, with its unit: the three never share a metric. */
  static final Map<KeepaliveSysctl, String> SYSCTL_METRICS =
      Map.of(
          KeepaliveSysctl.TIME, "time_seconds",
          KeepaliveSysctl.INTERVAL, "interval_seconds",
          KeepaliveSysctl.PROBES, "probes");

  private final Agent agent;
  private final List<String> targets;
  private final CollectorRegistry registry = new CollectorRegistry();

  AgentMetrics(Agent agent) {
    this.agent = agent;
    this.targets = TargetLabels.of(agent.targetReports().stream().map(TargetReport::url).toList());
    registry.register(this);
  }

  @Override
  public List<MetricFamilySamples> collect() {
    List<MetricFamilySamples> families = new ArrayList<>();
    sysctls(families);
    sockets(families);
    targets(families);
    return families;
  }

  private void sysctls(List<MetricFamilySamples> families) {
    SysctlsObservation s = agent.sysctls();
    KeepaliveValues observed = s == null ? null : s.observed();
    for (KeepaliveSysctl sysctl : KeepaliveSysctl.values()) {
      String unit = SYSCTL_METRICS.get(sysctl);
      GaugeMetricFamily inForce =
          new GaugeMetricFamily(
              "keepalive_sysctl_" + unit,
              "net.ipv4."
                  + sysctl.fileName()
                  + " in force in the pod's network namespace (absent while it cannot be read)",
              List.of());
      if (observed != null) {
        inForce.addMetric(List.of(), observed.get(sysctl));
      }
      families.add(inForce);
      GaugeMetricFamily desired =
          new GaugeMetricFamily(
              "keepalive_desired_" + unit,
              "net.ipv4." + sysctl.fileName() + " the pod's policy asks for",
              List.of());
      if (s != null) {
        desired.addMetric(List.of(), s.desired().get(sysctl));
      }
      families.add(desired);
    }
    GaugeMetricFamily inSync =
        new GaugeMetricFamily(
            "keepalive_sysctls_in_sync",
            "1 when all three keepalive sysctls in force are the desired ones, 0 when one differs "
                + "(absent while they cannot be read)",
            List.of());
    if (observed != null) {
      inSync.addMetric(List.of(), s.inSync() ? 1 : 0);
    }
    families.add(inSync);
  }

  private void sockets(List<MetricFamilySamples> families) {
    SocketCensus c = agent.census();
    GaugeMetricFamily sockets =
        new GaugeMetricFamily(
            "keepalive_tcp_sockets",
            "TCP sockets of the pod's network namespace by state, the agent's own left out. "
                + "The states do not overlap: established sockets are split by whether their "
                + "keepalive timer is armed (SO_KEEPALIVE on)",
            List.of("state"));
    sockets.addMetric(List.of("established_keepalive_armed"), c.keepaliveArmed());
    sockets.addMetric(List.of("established_keepalive_off"), c.keepaliveOff());
    sockets.addMetric(List.of("time_wait"), c.timeWait());
    sockets.addMetric(List.of("close_wait"), c.closeWait());
    families.add(sockets);
  }

  private void targets(List<MetricFamilySamples> families) {
    List<String> target = List.of("target");
    GaugeMetricFamily reachable =
        new GaugeMetricFamily(
            "keepalive_target_reachable",
            "1 when the HTTP target answered the latest request, else 0",
            target);
    GaugeMetricFamily keepAlive =
        new GaugeMetricFamily(
            "keepalive_target_http_keepalive",
            "1 when the HTTP target keeps connections alive, 0 when it closes them after a response",
            target);
    GaugeMetricFamily reuse =
        new GaugeMetricFamily(
            "keepalive_target_reuse_ratio",
            "Share of the agent's requests to the target that reused a pooled connection (0..1)",
            target);
    GaugeMetricFamily serverIdle =
        new GaugeMetricFamily(
            "keepalive_target_server_idle_timeout_seconds",
            "Seconds the HTTP target waits before closing an idle connection: measured, else "
                + "advertised (Keep-Alive: timeout)",
            target);
    GaugeMetricFamily clientIdle =
        new GaugeMetricFamily(
            "keepalive_target_client_idle_timeout_seconds",
            "Idle timeout of the workload's own connection pool for the target, from the policy "
                + "(clientIdleTimeoutSeconds); it must be shorter than the server's",
            target);
    CounterMetricFamily resets =
        new CounterMetricFamily(
            "keepalive_target_resets_on_reuse",
            "Reuses of a pooled connection to the target that failed because the server had "
                + "closed or reset it (what the workload sees as ECONNRESET or 502)",
            target);
    CounterMetricFamily canaryRuns =
        new CounterMetricFamily(
            "keepalive_canary_runs",
            "Idle canary connections to the target that finished (survived or not)",
            target);
    GaugeMetricFamily canary =
        new GaugeMetricFamily(
            "keepalive_canary_state",
            "State of the target's latest idle canary: 1 for the current state, 0 for the others",
            List.of("target", "state"));
    for (int i = 0; i < targets.size(); i++) {
      TargetReport t = agent.targetReport(i);
      List<String> name = List.of(targets.get(i));
      reachable.addMetric(name, t.reachable() ? 1 : 0);
      if (t.probe() != null && t.probe().keepAlive() != null) {
        keepAlive.addMetric(name, t.probe().keepAlive() ? 1 : 0);
      }
      if (t.probe() != null && t.probe().requests() > 0) {
        reuse.addMetric(name, t.probe().reuseRatio());
      }
      Double server = Findings.serverIdleTimeout(t);
      if (server != null) {
        serverIdle.addMetric(name, server);
      }
      if (t.clientIdleTimeoutSeconds() != null) {
        clientIdle.addMetric(name, t.clientIdleTimeoutSeconds());
      }
      resets.addMetric(name, t.probe() == null ? 0 : t.probe().resetsOnReuse());
      canaryRuns.addMetric(name, t.canaryRuns());
      CanaryOutcome state = t.canary() == null ? null : t.canary().state();
      for (CanaryOutcome outcome : CanaryOutcome.values()) {
        canary.addMetric(List.of(targets.get(i), outcome.name()), outcome == state ? 1 : 0);
      }
    }
    families.addAll(
        List.of(reachable, keepAlive, reuse, serverIdle, clientIdle, resets, canaryRuns, canary));
  }

  String scrape() {
    StringWriter out = new StringWriter();
    try {
      TextFormat.write004(out, registry.metricFamilySamples());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not throw
    }
    return out.toString();
  }
}
