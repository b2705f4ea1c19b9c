package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.KeepaliveValues;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FindingsTest {
  @Test
  void serverClosingBeforeTheClientIsAnOrderingFinding() {
    List<Findings.Finding> f =
        Findings.forTarget(
            AgentFixtures.target(
                "http://g",
                60,
                AgentFixtures.keepAliveProbe(null),
                2.0,
                CanaryOutcome.ClosedByServer));
    assertEquals(1, f.size(), f.toString());
    assertEquals(Findings.Severity.IDLE_TIMEOUT_ORDER, f.get(0).severity());
    assertTrue(
        f.get(0)
            .text()
            .startsWith(
                "http://g: server closes idle connections after 2 s, before the "
                    + "client's 60 s: requests will hit closing connections"),
        f.get(0).text());
  }

  @Test
  void equalTimeoutsAreAlsoWrongAndAdvertisedCountsUntilMeasured() {
    assertEquals(
        Findings.Severity.IDLE_TIMEOUT_ORDER,
        Findings.forTarget(
                AgentFixtures.target(
                    "http://n", 75, AgentFixtures.keepAliveProbe(75), null, CanaryOutcome.Pending))
            .get(0)
            .severity());
  }

  @Test
  void aServerThatOutlastsTheClientIsFine() {
    assertEquals(
        List.of(),
        Findings.forTarget(
            AgentFixtures.target(
                "http://n", 60, AgentFixtures.keepAliveProbe(75), 75.0, CanaryOutcome.Survived)));
  }

  @Test
  void noKeepAliveIsReportedAsSuch() {
    HttpTargetProbe.Result closing =
        new HttpTargetProbe.Result(
            true, null, "HTTP/1.1", false, "close", null, 0, 1.0, null, 0, null, 3);
    List<Findings.Finding> f =
        Findings.forTarget(
            AgentFixtures.target("http://c", 60, closing, 0.0, CanaryOutcome.ClosedByServer));
    assertEquals(1, f.size(), f.toString());
    assertEquals(Findings.Severity.NO_KEEPALIVE, f.get(0).severity());
    assertTrue(f.get(0).text().contains("does not keep connections alive"));
  }

  @Test
  void mostImportantFirst() {
    List<Findings.Finding> all = new ArrayList<>();
    SysctlsObservation inSync =
        new SysctlsObservation(
            new KeepaliveValues(120, 75, 9), null, new KeepaliveValues(120, 75, 9));
    all.addAll(Findings.forCensus(new SocketCensus(5, 2, 3, 0, 0, 0, 0, 0), inSync));
    all.addAll(
        Findings.forTarget(
            AgentFixtures.target(
                "http://lost",
                null,
                AgentFixtures.keepAliveProbe(null),
                null,
                CanaryOutcome.LostOnPath)));
    all.addAll(
        Findings.forSysctls(
            new SysctlsObservation(
                KeepaliveValues.LINUX_DEFAULTS, null, new KeepaliveValues(120, 75, 9))));
    List<String> sorted = Findings.sorted(all);
    assertEquals(3, sorted.size());
    assertTrue(sorted.get(0).contains("lost on the path"), sorted.get(0));
    assertTrue(
        sorted.get(1).contains("tcp_keepalive_time: observed 7200, desired 120"), sorted.get(1));
    assertTrue(
        sorted.get(2).startsWith("3 of 5 established connections have no keepalive"),
        sorted.get(2));
  }

  @Test
  void connectionsOnTheOldTimingAreAFindingOnlyWhileTheSysctlsAreInForce() {
    SocketCensus census = new SocketCensus(6, 3, 3, 0, 0, 0, 2, 7190);
    SysctlsObservation inSync =
        new SysctlsObservation(
            new KeepaliveValues(60, 75, 9), null, new KeepaliveValues(60, 75, 9));
    List<Findings.Finding> f = Findings.forCensus(census, inSync);
    assertEquals(Findings.Severity.OLD_KEEPALIVE_TIMING, f.get(0).severity());
    assertTrue(
        f.get(0)
            .text()
            .startsWith(
                "2 of 3 connections with keepalive keep the timing they were armed with (up to 119"
                    + " min before the first probe, more than tcp_keepalive_time 60 s)"),
        f.get(0).text());
    assertEquals(Findings.Severity.SOCKETS_WITHOUT_KEEPALIVE, f.get(1).severity());

    // drifted sysctls: the drift is the finding, a reconnect would not help those connections
    SysctlsObservation drifted =
        new SysctlsObservation(
            KeepaliveValues.LINUX_DEFAULTS, null, new KeepaliveValues(60, 75, 9));
    assertEquals(
        List.of(Findings.Severity.SOCKETS_WITHOUT_KEEPALIVE),
        Findings.forCensus(census, drifted).stream().map(Findings.Finding::severity).toList());
  }

  @Test
  void unreachableAndBadUrl() {
    HttpTargetProbe.Result down =
        new HttpTargetProbe.Result(
            false,
            "cannot reach x:1: Connection refused",
            null,
            null,
            null,
            null,
            0,
            null,
            null,
            0,
            null,
            0);
    assertTrue(
        Findings.forTarget(
                AgentFixtures.target("http://x:1", null, down, null, CanaryOutcome.Unreachable))
            .get(0)
            .text()
            .contains("unreachable"));
    TargetReport bad = new TargetReport("ftp://x", null, "bad URL", null, null, null, 0, null);
    assertEquals(Findings.Severity.UNREACHABLE, Findings.forTarget(bad).get(0).severity());
  }
}
