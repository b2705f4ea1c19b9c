package io.keepalive.agent;

import io.keepalive.sidecar.KeepaliveSysctl;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * /metrics: gauges over the agent's latest snapshots, no JVM binders (they cost memory and CPU a
 * sidecar should not spend). Names start with {@code keepalive_}.
 */
final class AgentMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  AgentMetrics(Agent agent) {
    for (KeepaliveSysctl s : KeepaliveSysctl.values()) {
      Gauge.builder(
              "keepalive.sysctl.observed",
              agent,
              a -> a.sysctls().observed() == null ? Double.NaN : a.sysctls().observed().get(s))
          .tag("sysctl", s.fileName())
          .description("keepalive sysctl in force in the pod's netns")
          .register(registry);
      Gauge.builder("keepalive.sysctl.desired", agent, a -> a.sysctls().desired().get(s))
          .tag("sysctl", s.fileName())
          .description("keepalive sysctl the policy asks for")
          .register(registry);
    }
    Gauge.builder("keepalive.sysctls.in.sync", agent, a -> a.sysctls().inSync() ? 1 : 0)
        .description("1 when all three sysctls are as desired")
        .register(registry);
    census(agent, "established", SocketCensus::established);
    census(agent, "keepalive_armed", SocketCensus::keepaliveArmed);
    census(agent, "keepalive_off", SocketCensus::keepaliveOff);
    census(agent, "time_wait", SocketCensus::timeWait);
    census(agent, "close_wait", SocketCensus::closeWait);
    List<TargetReport> initial = agent.targetReports();
    for (int i = 0; i < initial.size(); i++) {
      int index = i;
      Tags tags = Tags.of("url", initial.get(i).url());
      target(agent, index, "keepalive.target.reachable", tags, t -> t.reachable() ? 1 : 0);
      target(
          agent,
          index,
          "keepalive.target.keepalive",
          tags,
          t ->
              t.probe() == null || t.probe().keepAlive() == null
                  ? Double.NaN
                  : t.probe().keepAlive() ? 1 : 0);
      target(
          agent,
          index,
          "keepalive.target.reuse.ratio",
          tags,
          t -> t.probe() == null ? Double.NaN : t.probe().reuseRatio());
      target(
          agent,
          index,
          "keepalive.target.idle.timeout.seconds",
          tags,
          t -> {
            Double v = Findings.serverIdleTimeout(t);
            return v == null ? Double.NaN : v;
          });
      FunctionCounter.builder(
              "keepalive.target.resets.on.reuse",
              agent,
              a -> {
                TargetReport t = a.targetReport(index);
                return t.probe() == null ? 0 : t.probe().resetsOnReuse();
              })
          .tags(tags)
          .description("reuses of a pooled connection that failed")
          .register(registry);
      for (CanaryOutcome outcome : CanaryOutcome.values()) {
        target(
            agent,
            index,
            "keepalive.canary.state",
            tags.and("state", outcome.name()),
            t -> t.canary() != null && t.canary().state() == outcome ? 1 : 0);
      }
    }
  }

  private void census(Agent agent, String state, ToDoubleFunction<SocketCensus> f) {
    Gauge.builder("keepalive.sockets", agent, a -> f.applyAsDouble(a.census()))
        .tag("state", state)
        .description("TCP sockets of the pod's netns (agent's own left out)")
        .register(registry);
  }

  private void target(
      Agent agent, int index, String name, Tags tags, ToDoubleFunction<TargetReport> f) {
    Gauge.builder(name, agent, a -> f.applyAsDouble(a.targetReport(index)))
        .tags(tags)
        .register(registry);
  }

  String scrape() {
    return registry.scrape();
  }
}
