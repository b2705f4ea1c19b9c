package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.sidecar.AgentReport;
import io.keepalive.testing.Policies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentJudgementTest {
  static final String IN_SYNC =
      """
            {"policy":"web","sysctls":{"observed":{"timeSeconds":120,"intervalSeconds":15,"probes":4},
             "desired":{"timeSeconds":120,"intervalSeconds":15,"probes":4},"inSync":true,"drift":[]},
             "census":{"established":7,"keepaliveArmed":5,"keepaliveOff":2,"timeWait":0,"closeWait":0},
             "targets":[],"findings":[], "somethingNewer": {"x": 1}}
            """;
  static final String DRIFTED =
      """
            {"sysctls":{"inSync":false,"drift":["tcp_keepalive_time: observed 7200, desired 120"]},
             "census":{"established":1,"keepaliveArmed":0,"keepaliveOff":1},
             "findings":["http://api:8080: server closes idle connections after 2 s, before the client's 60 s"]}
            """;

  @Test
  void allInSync() {
    var verdict =
        judge(
            2,
            2,
            List.of(AgentReport.parse("a", IN_SYNC), AgentReport.parse("b", IN_SYNC)),
            Map.of());
    assertEquals("True", condition(verdict, ConditionTypes.AGENTS_REPORTING).getStatus());
    var drift = condition(verdict, ConditionTypes.DRIFTED);
    assertEquals("False", drift.getStatus());
    assertEquals("InSync", drift.getReason());
    assertEquals(14, verdict.observed().getEstablishedConnections());
    assertEquals(4, verdict.observed().getConnectionsWithoutKeepalive());
    assertEquals(2, verdict.observed().getPodsInSync());
  }

  @Test
  void driftNamesThePodAndTheSysctlAndSilentAgentsAreNamed() {
    var verdict =
        judge(
            3,
            3,
            List.of(AgentReport.parse("a", IN_SYNC), AgentReport.parse("b", DRIFTED)),
            Map.of("c", "ConnectException from http://10.0.0.3:9901/status"));
    var reporting = condition(verdict, ConditionTypes.AGENTS_REPORTING);
    assertEquals("False", reporting.getStatus());
    assertEquals(
        "1 of 3 pods running did not answer (c: ConnectException from http://10.0.0.3:9901/status).",
        reporting.getMessage());
    var drift = condition(verdict, ConditionTypes.DRIFTED);
    assertEquals("SysctlDrift", drift.getReason());
    assertEquals(
        "1 of 2 pods reporting run other values than desired (b: tcp_keepalive_time: observed 7200, desired 120).",
        drift.getMessage());
    assertEquals(1, verdict.observed().getPodsInSync());
    assertEquals(
        List.of(
            "http://api:8080: server closes idle connections after 2 s, before the client's 60 s"),
        verdict.observed().getFindings());
  }

  @Test
  void findingsAloneAreDriftAndRepeatsCountOnce() {
    String finding = DRIFTED.replace("\"inSync\":false", "\"inSync\":true");
    var verdict =
        judge(
            2,
            2,
            List.of(AgentReport.parse("a", finding), AgentReport.parse("b", finding)),
            Map.of());
    var drift = condition(verdict, ConditionTypes.DRIFTED);
    assertEquals("AgentFindings", drift.getReason());
    assertEquals(1, verdict.observed().getFindings().size());
  }

  /**
   * What the measurements contradict in the policy (120 s, Policies' default, against a path that
   * forgets idle connections within 30 s) is a finding before the agents' own, it makes the policy
   * Drifted, and the recommendations come with the verdict; the targets are summed up.
   */
  @Test
  void theDiscoveredPathAgainstThePolicy() {
    String discovered =
        IN_SYNC.replace(
            "\"targets\":[]",
            "\"targets\":[{\"url\":\"http://api\",\"pathDiscovery\":{\"longestSurvivedSeconds\":10,"
                + "\"shortestLostSeconds\":30,\"connections\":3,\"closedByServer\":1}}]");
    var verdict = judge(1, 1, List.of(AgentReport.parse("a", discovered)), Map.of());
    var drift = condition(verdict, ConditionTypes.DRIFTED);
    assertEquals("AgentFindings", drift.getReason());
    assertTrue(
        drift.getMessage().startsWith("http://api: tcp.timeSeconds 120 is at or above"),
        drift.getMessage());
    assertEquals(10, verdict.observed().getTargets().get(0).getPathSurvivedSeconds());
    assertEquals(30, verdict.observed().getTargets().get(0).getPathLostSeconds());
    assertTrue(
        verdict.recommendations().get(0).startsWith("tcp.timeSeconds: 8 "),
        verdict.recommendations().toString());
  }

  @Test
  void podsJustStartedAreNotJudgedYetButTheOthersAre() {
    var onlyNew =
        AgentJudgement.judge(
            new AgentAnswers(2, 2, List.of(), Map.of(), 2), Policies.named("p").build().getSpec());
    var reporting = condition(onlyNew, ConditionTypes.AGENTS_REPORTING);
    assertEquals("Unknown", reporting.getStatus());
    assertEquals("AwaitingFirstAnswers", reporting.getReason());
    var some =
        AgentJudgement.judge(
            new AgentAnswers(3, 3, List.of(AgentReport.parse("a", IN_SYNC)), Map.of(), 2),
            Policies.named("p").build().getSpec());
    reporting = condition(some, ConditionTypes.AGENTS_REPORTING);
    assertEquals("True", reporting.getStatus());
    assertEquals(
        "The agents of all 1 pod running answered. 2 more just started; their agents are being"
            + " asked.",
        reporting.getMessage());
  }

  @Test
  void nothingToAskYet() {
    var none = judge(0, 0, List.of(), Map.of());
    assertEquals("Unknown", condition(none, ConditionTypes.AGENTS_REPORTING).getStatus());
    assertEquals("NoInjectedPods", condition(none, ConditionTypes.AGENTS_REPORTING).getReason());
    assertNull(none.observed());
    var pending = judge(2, 0, List.of(), Map.of());
    assertEquals("PodsNotRunning", condition(pending, ConditionTypes.AGENTS_REPORTING).getReason());
  }

  private static PolicyStatusBuilder.AgentVerdict judge(
      int withAgent, int running, List<AgentReport> reports, Map<String, String> silent) {
    return AgentJudgement.judge(
        new AgentAnswers(withAgent, running, reports, silent, 0),
        Policies.named("p").build().getSpec());
  }

  private static Condition condition(PolicyStatusBuilder.AgentVerdict verdict, String type) {
    return verdict.conditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
