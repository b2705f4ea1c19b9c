package io.keepalive.agent;

import io.keepalive.sidecar.AgentConfig;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.sidecar.PathIdleTimeout;
import io.keepalive.sidecar.StatusFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the /status document the operator reads. Pure: snapshots in, JSON out. Field names are a
 * contract: the ones the operator reads come from {@link StatusFields}; docs/agent.md lists them
 * all.
 */
final class AgentStatus {
  private AgentStatus() {}

  static JsonObject build(
      AgentConfig config,
      SysctlsObservation sysctls,
      SocketCensus census,
      String censusError,
      List<TargetReport> targets,
      Instant observedAt) {
    List<Findings.Finding> all = new ArrayList<>(Findings.forSysctls(sysctls));
    all.addAll(Findings.forCensus(census, sysctls));
    JsonArray targetArray = new JsonArray();
    for (TargetReport t : targets) {
      List<Findings.Finding> mine = Findings.forTarget(t);
      all.addAll(mine);
      targetArray.add(target(t, Findings.sorted(mine)));
    }
    return new JsonObject()
        .put("policy", config.policy())
        .put("observedAt", observedAt == null ? null : observedAt.toString())
        .put(
            StatusFields.SYSCTLS,
            new JsonObject()
                .put("observed", values(sysctls.observed()))
                .put("desired", values(sysctls.desired()))
                .put(StatusFields.IN_SYNC, sysctls.inSync())
                .put(StatusFields.DRIFT, new JsonArray(sysctls.drift()))
                .put("error", sysctls.error()))
        .put(StatusFields.CENSUS, census(census, censusError))
        .put(StatusFields.TARGETS, targetArray)
        .put(StatusFields.FINDINGS, new JsonArray(Findings.sorted(all)))
        .put(
            "agent",
            new JsonObject()
                .put("port", config.port())
                .put("probeIntervalSeconds", config.probeIntervalSeconds())
                .put("canaryIdleSeconds", config.canaryIdleSeconds())
                .put("discoveryIdleSeconds", new JsonArray(config.discoveryIdleSeconds()))
                .put(
                    "discoveryRepeatSeconds",
                    config.discovers() ? config.discoveryRepeatSeconds() : null));
  }

  static JsonObject values(KeepaliveValues v) {
    if (v == null) {
      return null;
    }
    return new JsonObject()
        .put("timeSeconds", v.timeSeconds())
        .put("intervalSeconds", v.intervalSeconds())
        .put("probes", v.probes());
  }

  static JsonObject census(SocketCensus c, String error) {
    return new JsonObject()
        .put(StatusFields.ESTABLISHED, c.established())
        .put("keepaliveArmed", c.keepaliveArmed())
        .put(StatusFields.KEEPALIVE_OFF, c.keepaliveOff())
        .put(StatusFields.KEEPALIVE_OLD_TIMING, c.keepaliveOldTiming())
        .put("oldTimingLongestSeconds", c.oldTimingLongestSeconds())
        .put("timeWait", c.timeWait())
        .put("closeWait", c.closeWait())
        .put("excludedAgentSockets", c.excludedOwn())
        .put("error", error);
  }

  static JsonObject target(TargetReport t, List<String> findings) {
    HttpTargetProbe.Result p = t.probe();
    IdleTimeoutMeasurement.Result idle = t.idleTimeout();
    IdleCanary.Result canary = t.canary();
    return new JsonObject()
        .put(StatusFields.URL, t.url())
        .put("clientIdleTimeoutSeconds", t.clientIdleTimeoutSeconds())
        .put("reachable", t.reachable())
        .put("error", t.error())
        .put("httpVersion", p == null ? null : p.httpVersion())
        .put("keepAlive", p == null ? null : p.keepAlive())
        .put("connectionHeader", p == null ? null : p.connectionHeader())
        .put(
            StatusFields.ADVERTISED_IDLE_TIMEOUT,
            p == null ? null : p.advertisedIdleTimeoutSeconds())
        .put(StatusFields.MEASURED_IDLE_TIMEOUT, idle == null ? null : idle.measuredSeconds())
        .put("idleTimeoutAtLeastSeconds", idle == null ? null : idle.atLeastSeconds())
        .put("idleTimeoutDetail", idle == null ? null : idle.detail())
        .put("reuseRatio", p == null ? 0.0 : p.reuseRatio())
        .put("requests", p == null ? 0 : p.requests())
        .put("newConnectionMillis", p == null ? null : p.newConnectionMillis())
        .put("reusedConnectionMillis", p == null ? null : p.reusedConnectionMillis())
        .put("resetsOnReuse", p == null ? 0 : p.resetsOnReuse())
        .put(
            "canary",
            canary == null
                ? null
                : new JsonObject()
                    .put("state", canary.state().name())
                    .put("idleSeconds", canary.idleSeconds())
                    .put("detail", canary.detail())
                    .put("completedRuns", t.canaryRuns()))
        .put(StatusFields.PATH_DISCOVERY, discovery(t.discovery()))
        .put("findings", new JsonArray(findings));
  }

  static JsonObject discovery(PathDiscovery.Result d) {
    if (d == null) {
      return null;
    }
    JsonArray probes = new JsonArray();
    for (PathDiscovery.Probe p : d.probes()) {
      probes.add(
          new JsonObject()
              .put("idleSeconds", p.idleSeconds())
              .put("outcome", p.outcome().name())
              .put("detail", p.detail()));
    }
    PathIdleTimeout b = d.bracket();
    return new JsonObject()
        .put("state", b.verdict().name())
        .put("summary", b.summary())
        .put(StatusFields.LONGEST_SURVIVED, b.survivedSeconds())
        .put(StatusFields.SHORTEST_LOST, b.lostSeconds())
        .put(StatusFields.CLOSED_BY_SERVER, b.closedByServer())
        .put(StatusFields.UNREACHABLE, b.unreachable())
        .put(StatusFields.CONNECTIONS, b.connections())
        .put("rounds", d.rounds())
        .put("completedAt", d.completedAt() == null ? null : d.completedAt().toString())
        .put("probes", probes);
  }
}
