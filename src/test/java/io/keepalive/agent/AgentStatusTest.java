package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.spec.HttpTarget;
import io.keepalive.sidecar.AgentConfig;
import io.keepalive.sidecar.AgentReport;
import io.keepalive.sidecar.JsonText;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.sidecar.PathIdleTimeout;
import io.keepalive.sidecar.TargetObservation;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The /status field names are a contract with the operator: this test spells them out. */
class AgentStatusTest {
  @Test
  void contractFieldNames() {
    AgentConfig config =
        AgentConfig.fromEnv(
            Map.of(
                AgentConfig.ENV_POLICY,
                "p1",
                AgentConfig.ENV_TIME,
                "120",
                AgentConfig.ENV_TARGETS,
                "[{\"url\":\"http://g\",\"clientIdleTimeoutSeconds\":60}]"));
    TargetReport t =
        AgentFixtures.target(
            "http://g", 60, AgentFixtures.keepAliveProbe(null), 2.0, CanaryOutcome.ClosedByServer);
    JsonObject s =
        AgentStatus.build(
            config,
            new SysctlsObservation(
                KeepaliveValues.LINUX_DEFAULTS, null, new KeepaliveValues(120, 75, 9)),
            new SocketCensus(4, 3, 1, 7, 2, 1, 0, 0),
            null,
            List.of(t),
            Instant.EPOCH);
    assertEquals("p1", s.getString("policy"));
    JsonObject sysctls = s.getJsonObject("sysctls");
    assertEquals(7200, sysctls.getJsonObject("observed").getInteger("timeSeconds"));
    assertEquals(75, sysctls.getJsonObject("observed").getInteger("intervalSeconds"));
    assertEquals(9, sysctls.getJsonObject("observed").getInteger("probes"));
    assertEquals(120, sysctls.getJsonObject("desired").getInteger("timeSeconds"));
    assertFalse(sysctls.getBoolean("inSync"));
    assertEquals(
        "tcp_keepalive_time: observed 7200, desired 120",
        sysctls.getJsonArray("drift").getString(0));
    JsonObject census = s.getJsonObject("census");
    assertEquals(
        List.of(4, 3, 1, 7, 2),
        List.of(
            census.getInteger("established"),
            census.getInteger("keepaliveArmed"),
            census.getInteger("keepaliveOff"),
            census.getInteger("timeWait"),
            census.getInteger("closeWait")));
    JsonObject target = s.getJsonArray("targets").getJsonObject(0);
    for (String field :
        List.of(
            "url",
            "reachable",
            "error",
            "httpVersion",
            "keepAlive",
            "advertisedIdleTimeoutSeconds",
            "measuredIdleTimeoutSeconds",
            "reuseRatio",
            "newConnectionMillis",
            "reusedConnectionMillis",
            "resetsOnReuse",
            "canary",
            "findings")) {
      assertTrue(target.containsKey(field), field);
    }
    assertEquals("http://g", target.getString("url"));
    assertTrue(target.getBoolean("reachable"));
    assertEquals(2.0, target.getDouble("measuredIdleTimeoutSeconds"));
    assertEquals("ClosedByServer", target.getJsonObject("canary").getString("state"));
    assertEquals(30, target.getJsonObject("canary").getInteger("idleSeconds"));
    assertTrue(target.getJsonObject("canary").containsKey("detail"));
    assertEquals(1, target.getJsonArray("findings").size());
    assertEquals(3, s.getJsonArray("findings").size(), s.encodePrettily());
    assertTrue(s.getJsonArray("findings").getString(0).contains("tcp_keepalive_time"));
    // round trip through the writer AgentServer serves /status with (not Vert.x's encode(), which
    // the agent
    // never uses), parsed by an independent parser as the operator does
    assertEquals(s, new JsonObject(JsonText.write(s, true)));
  }

  @Test
  void aTargetWithABadUrl() {
    AgentConfig config = AgentConfig.fromEnv(Map.of());
    TargetMonitor m =
        new TargetMonitor(
            new HttpTarget("not a url", null), 30, 60, List.of(), 1, new OwnSockets());
    JsonObject target =
        AgentStatus.build(
                config,
                new SysctlsObservation(
                    KeepaliveValues.LINUX_DEFAULTS, null, KeepaliveValues.LINUX_DEFAULTS),
                SocketCensus.EMPTY,
                null,
                List.of(m.report()),
                null)
            .getJsonArray("targets")
            .getJsonObject(0);
    assertFalse(target.getBoolean("reachable"));
    assertTrue(target.getString("error").startsWith("bad URL"), target.getString("error"));
    assertEquals("Unreachable", target.getJsonObject("canary").getString("state"));
  }

  /**
   * The contract both ways in the unit tier: what the agent writes (the writer /status is served
   * with), the operator reads back, every value. Renaming a field on one side only, or dropping
   * one, fails here.
   */
  @Test
  void theOperatorReadsWhatTheAgentWrites() {
    AgentConfig config = AgentConfig.fromEnv(Map.of(AgentConfig.ENV_TIME, "120"));
    JsonObject written =
        AgentStatus.build(
            config,
            new SysctlsObservation(
                KeepaliveValues.LINUX_DEFAULTS, null, new KeepaliveValues(120, 75, 9)),
            new SocketCensus(4, 3, 1, 7, 2, 1, 0, 0),
            null,
            List.of(),
            Instant.EPOCH);
    AgentReport read = AgentReport.parse("web-1", JsonText.write(written, true));
    assertEquals(
        new AgentReport(
            "web-1",
            false,
            List.of("tcp_keepalive_time: observed 7200, desired 120"),
            4,
            1,
            List.of(
                written.getJsonArray("findings").getString(0),
                written.getJsonArray("findings").getString(1))),
        read);
    assertEquals(
        2, written.getJsonArray("findings").size(), "drift and the socket without keepalive");

    JsonObject inSync =
        AgentStatus.build(
            config,
            new SysctlsObservation(
                new KeepaliveValues(120, 75, 9), null, new KeepaliveValues(120, 75, 9)),
            new SocketCensus(2, 2, 0, 0, 0, 0, 0, 0),
            null,
            List.of(),
            Instant.EPOCH);
    assertEquals(
        new AgentReport("web-1", true, List.of(), 2, 0, List.of()),
        AgentReport.parse("web-1", JsonText.write(inSync, false)));
  }

  /**
   * The same both ways for what discovery and the census's timer column add: the connections on the
   * old keepalive timing, each target's server idle timeout (measured, else advertised) and its
   * discovery bracket, a target without discovery, and a target whose first round still runs.
   */
  @Test
  void theOperatorReadsDiscoveryAndTheOldTiming() {
    AgentConfig config =
        AgentConfig.fromEnv(
            Map.of(AgentConfig.ENV_TIME, "60", AgentConfig.ENV_DISCOVERY_IDLE, "10,30,50"));
    List<PathDiscovery.Probe> probes =
        List.of(
            new PathDiscovery.Probe(10, CanaryOutcome.Survived, "reused after 10 s idle"),
            new PathDiscovery.Probe(30, CanaryOutcome.LostOnPath, "no answer on reuse"),
            new PathDiscovery.Probe(50, CanaryOutcome.ClosedByServer, "FIN"));
    TargetReport discovered =
        withDiscovery(
            AgentFixtures.target(
                "http://a", 60, AgentFixtures.keepAliveProbe(5), 4.5, CanaryOutcome.Survived),
            new PathDiscovery.Result(
                probes, PathDiscovery.bracket(probes), 2, Instant.parse("2026-01-01T00:00:00Z")));
    TargetReport advertisedOnly =
        AgentFixtures.target(
            "http://b", null, AgentFixtures.keepAliveProbe(75), null, CanaryOutcome.Pending);
    TargetReport running =
        withDiscovery(
            AgentFixtures.target("http://c", null, null, null, CanaryOutcome.Pending),
            PathDiscovery.Result.pending(List.of(10, 30, 50)));
    SysctlsObservation inSync =
        new SysctlsObservation(
            new KeepaliveValues(60, 75, 9), null, new KeepaliveValues(60, 75, 9));
    JsonObject written =
        AgentStatus.build(
            config,
            inSync,
            new SocketCensus(6, 3, 3, 0, 0, 0, 2, 7190),
            null,
            List.of(discovered, advertisedOnly, running),
            Instant.EPOCH);

    JsonObject d = written.getJsonArray("targets").getJsonObject(0).getJsonObject("pathDiscovery");
    assertEquals("Bracketed", d.getString("state"));
    assertEquals(2, d.getInteger("rounds"));
    assertEquals(3, d.getJsonArray("probes").size());
    assertEquals("LostOnPath", d.getJsonArray("probes").getJsonObject(1).getString("outcome"));
    assertEquals(
        List.of(10, 30, 50),
        written.getJsonObject("agent").getJsonArray("discoveryIdleSeconds").getList());

    AgentReport read = AgentReport.parse("web-1", JsonText.write(written, true));
    assertEquals(2, read.keepaliveOldTiming());
    assertEquals(
        List.of(
            new TargetObservation("http://a", 4.5, new PathIdleTimeout(10, 30, 1, 0, 3)),
            new TargetObservation("http://b", 75.0, null),
            new TargetObservation("http://c", null, PathIdleTimeout.NONE)),
        read.targets());
  }

  private static TargetReport withDiscovery(TargetReport t, PathDiscovery.Result discovery) {
    return new TargetReport(
        t.url(),
        t.clientIdleTimeoutSeconds(),
        t.urlError(),
        t.probe(),
        t.idleTimeout(),
        t.canary(),
        t.canaryRuns(),
        discovery);
  }
}
