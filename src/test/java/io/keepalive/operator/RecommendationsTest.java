package io.keepalive.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.KeepalivePolicySpec;
import io.keepalive.policy.spec.HttpExpectations;
import io.keepalive.policy.spec.HttpTarget;
import io.keepalive.policy.spec.TcpKeepalive;
import io.keepalive.sidecar.AgentReport;
import io.keepalive.sidecar.PathIdleTimeout;
import io.keepalive.sidecar.TargetObservation;
import io.keepalive.testing.Policies;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recommender's rules, one case each, with the lines a user reads. */
class RecommendationsTest {

  @Test
  void anAwsNatGatewayBracketedByTheDefaultIdleTimes() {
    // survived 240 s, lost after 350 s: the policy's 300 s is not known to be safe
    var advice = advise(spec(300, 75, 9, null), path("http://a", 240, 350));
    assertEquals(List.of(), advice.findings(), "300 is below 350: no contradiction");
    assertEquals(
        List.of(
            "tcp.timeSeconds: 192 (idle connections survived 240 s on every path measured, and one"
                + " was lost after 350 s; a fifth below that leaves a margin; now 300)",
            "tcp.pathIdleTimeoutSeconds: 350 (the shortest idle time after which the path forgot a"
                + " connection; every path kept one 240 s; now not set)",
            "tcp.intervalSeconds: 48, tcp.probes: 4 (a dead peer, or a connection the path forgot,"
                + " is then noticed 384 s after it went idle, at most twice timeSeconds; now 975 s)"),
        advice.recommendations());
  }

  @Test
  void aTimeAtOrAboveTheDiscoveredTimeoutIsAFindingWithTheValueToUse() {
    var advice = advise(spec(60, 5, 3, null), path("http://a", 10, 30));
    assertEquals(
        List.of(
            "http://a: tcp.timeSeconds 60 is at or above the path's idle timeout (the path forgets"
                + " an idle connection after more than 10 s and at most 30 s): idle connections are"
                + " forgotten before their first keepalive probe; use 8 or less"),
        advice.findings());
    assertTrue(advice.recommendations().get(0).startsWith("tcp.timeSeconds: 8 "));
    assertTrue(
        advice.recommendations().get(2).startsWith("tcp.intervalSeconds: 2, tcp.probes: 3 "),
        advice.recommendations().toString());
  }

  @Test
  void aDeclaredPathTimeoutTheMeasurementContradicts() {
    var longer = advise(spec(100, 10, 3, 400), path("http://a", 240, 350));
    assertEquals(
        List.of(
            "tcp.pathIdleTimeoutSeconds 400 is longer than measured: the path forgot an idle"
                + " connection after 350 s"),
        longer.findings());
    assertTrue(
        longer
            .recommendations()
            .contains(
                "tcp.pathIdleTimeoutSeconds: 350 (the shortest idle time after which the path forgot a"
                    + " connection; every path kept one 240 s; now 400)"),
        longer.recommendations().toString());

    var shorter = advise(spec(100, 10, 3, 200), path("http://a", 240, 350));
    assertEquals(
        List.of(
            "tcp.pathIdleTimeoutSeconds 200 is shorter than measured: every path kept an idle"
                + " connection for 240 s"),
        shorter.findings());

    var agrees = advise(spec(100, 10, 3, 300), path("http://a", 240, 350));
    assertEquals(List.of(), agrees.findings());
    assertEquals(List.of(), agrees.recommendations(), "100 < 240, 300 in (240, 350], 10 x 3 < 100");
  }

  @Test
  void aServerThatClosesFirstSaysNothingAboutThePath() {
    var advice =
        advise(
            spec(60, 75, 9, null),
            new TargetObservation("http://a", 8.0, new PathIdleTimeout(null, null, 3, 0, 3)));
    assertEquals(List.of(), advice.findings());
    assertEquals(
        List.of(
            "http.targets[http://a].clientIdleTimeoutSeconds: 6 (the server closes idle connections"
                + " after 8 s: the client's pool must close them first; now not set)"),
        advice.recommendations());
  }

  @Test
  void everyIdleTimeLostAsksForShorterOnes() {
    var advice = advise(spec(300, 75, 9, null), path("http://a", null, 60));
    assertTrue(advice.findings().get(0).contains("tcp.timeSeconds 300 is at or above"));
    assertEquals(
        "spec.discovery.idleSeconds: [7, 15, 30] (the path to http://a forgot every connection"
            + " that reached it, after 60 s the shortest: try shorter idle times to bracket its"
            + " timeout)",
        advice.recommendations().get(0));
  }

  @Test
  void theTightestPathDecidesTheTime() {
    var advice =
        advise(
            spec(300, 10, 3, null),
            path("http://far", 600, null),
            path("http://near", 120, 240),
            path("http://unknown", null, null));
    assertTrue(
        advice
            .recommendations()
            .get(0)
            .startsWith("tcp.timeSeconds: 96 (idle connections survived 120 s"),
        advice.recommendations().toString());
  }

  @Test
  void aClientPoolThatOutlastsTheServer() {
    KeepalivePolicySpec spec = spec(300, 75, 9, null);
    HttpExpectations http = new HttpExpectations();
    http.setTargets(
        List.of(
            new HttpTarget("http://gunicorn", 60),
            new HttpTarget("http://nginx", 30),
            new HttpTarget("http://tight", 5)));
    spec.setHttp(http);
    var advice =
        advise(
            spec,
            new TargetObservation("http://gunicorn", 2.0, null),
            new TargetObservation("http://nginx", 75.0, null),
            new TargetObservation("http://tight", 1.0, null),
            new TargetObservation("http://closes", 0.0, null));
    assertEquals(
        List.of(
            "http.targets[http://gunicorn].clientIdleTimeoutSeconds: 1 (the server closes idle"
                + " connections after 2 s: the client's pool must close them first; now 60)",
            "http.targets[http://tight]: do not pool connections to it (the server closes idle"
                + " connections after 1 s)"),
        advice.recommendations());
  }

  @Test
  void thePathTimeoutIsTheSmallestOfThePaths() {
    // one path keeps 600 s, another forgets after 240 s: 200 is right for the second, not "short"
    var advice =
        advise(spec(100, 10, 3, 200), path("http://far", 600, null), path("http://near", 120, 240));
    assertEquals(List.of(), advice.findings());
  }

  @Test
  void connectionsOnTheOldTimingAskForARestart() {
    var advice = Recommendations.advise(spec(300, 75, 9, null), List.of(), 3);
    assertEquals(
        List.of(
            "restart the workloads, or make them reconnect: 3 connection(s) keep the keepalive"
                + " timing they were armed with, longer than tcp.timeSeconds 300"),
        advice.recommendations());
  }

  @Test
  void agentsOfSeveralPodsAddUp() {
    AgentReport a =
        new AgentReport(
            "web-a",
            true,
            List.of(),
            0,
            0,
            List.of(),
            1,
            List.of(
                new TargetObservation("http://x", 5.0, new PathIdleTimeout(10, null, 0, 0, 2))));
    AgentReport b =
        new AgentReport(
            "web-b",
            true,
            List.of(),
            0,
            0,
            List.of(),
            2,
            List.of(new TargetObservation("http://x", 4.0, new PathIdleTimeout(5, 30, 0, 0, 2))));
    assertEquals(
        List.of(
            new TargetSummary.Combined("http://x", 2, 4.0, new PathIdleTimeout(10, 30, 0, 0, 4))),
        TargetSummary.combine(List.of(b, a)));
  }

  private static Recommendations.Advice advise(KeepalivePolicySpec spec, TargetObservation... t) {
    AgentReport report = new AgentReport("web-1", true, List.of(), 0, 0, List.of(), 0, List.of(t));
    return Recommendations.advise(spec, TargetSummary.combine(List.of(report)), 0);
  }

  private static TargetObservation path(String url, Integer survived, Integer lost) {
    int connections = (survived == null ? 0 : 1) + (lost == null ? 0 : 1);
    return new TargetObservation(
        url,
        null,
        new PathIdleTimeout(survived, lost, connections == 0 ? 1 : 0, 0, Math.max(1, connections)));
  }

  private static KeepalivePolicySpec spec(int time, int interval, int probes, Integer path) {
    KeepalivePolicySpec spec = Policies.named("p").build().getSpec();
    TcpKeepalive tcp = new TcpKeepalive(time, interval, probes);
    tcp.setPathIdleTimeoutSeconds(path);
    spec.setTcp(tcp);
    return spec;
  }
}
