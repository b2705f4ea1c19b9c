package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.PathIdleTimeout;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The discovery round against loopback servers that behave like a path that forgets idle
 * connections, or a server that closes them itself; and the bracket, a pure function of the
 * connections' outcomes.
 */
class PathDiscoveryTest {
  private final OwnSockets own = new OwnSockets();

  @Test
  void aPathThatForgetsIdleConnectionsIsBracketed() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.FORGET, 2000, false)) {
      List<PathDiscovery.Probe> probes =
          new PathDiscovery(new IdleCanary(own, 500))
              .round(TargetUrl.parse(server.url()), List.of(1, 3));
      assertEquals(CanaryOutcome.Survived, probes.get(0).outcome(), probes.toString());
      assertEquals(CanaryOutcome.LostOnPath, probes.get(1).outcome(), probes.toString());
      PathIdleTimeout bracket = PathDiscovery.bracket(probes);
      assertEquals(PathIdleTimeout.Verdict.Bracketed, bracket.verdict());
      assertEquals(
          "the path forgets an idle connection after more than 1 s and at most 3 s",
          bracket.summary());
    }
    assertTrue(own.localPorts().isEmpty(), "every discovery connection is closed");
  }

  @Test
  void aServerThatClosesIdleConnectionsItselfIsNotThePath() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.FIN, 1500, false)) {
      List<PathDiscovery.Probe> probes =
          new PathDiscovery(new IdleCanary(own, 500))
              .round(TargetUrl.parse(server.url()), List.of(1, 3, 4));
      PathIdleTimeout bracket = PathDiscovery.bracket(probes);
      assertEquals(new PathIdleTimeout(1, null, 2, 0, 3), bracket, probes.toString());
      assertEquals(PathIdleTimeout.Verdict.LongerThanTried, bracket.verdict());
      assertNull(bracket.lostSeconds(), "a FIN is the server's timeout, never the path's");
    }
  }

  @Test
  void theConnectionsAreHeldAtOnce() throws Exception {
    try (FakeHttpServer server = new FakeHttpServer(FakeHttpServer.Idle.KEEP, 0, false)) {
      long start = System.nanoTime();
      List<PathDiscovery.Probe> probes =
          new PathDiscovery(new IdleCanary(own, 500))
              .round(TargetUrl.parse(server.url()), List.of(2, 2, 2, 2));
      double seconds = (System.nanoTime() - start) / 1e9;
      assertTrue(
          probes.stream().allMatch(p -> p.outcome() == CanaryOutcome.Survived), probes.toString());
      // one after the other they would take 8 s
      assertTrue(seconds < 6, "a round of four 2 s connections took " + seconds + " s");
    }
  }

  @Test
  void bracketOfOutcomes() {
    assertEquals(
        new PathIdleTimeout(120, 350, 1, 1, 6),
        PathDiscovery.bracket(
            List.of(
                probe(60, CanaryOutcome.Survived),
                probe(120, CanaryOutcome.Survived),
                probe(350, CanaryOutcome.LostOnPath),
                probe(600, CanaryOutcome.LostOnPath),
                probe(240, CanaryOutcome.ClosedByServer),
                probe(900, CanaryOutcome.Unreachable))));
    assertEquals(
        PathIdleTimeout.Verdict.Inconsistent,
        PathDiscovery.bracket(
                List.of(probe(60, CanaryOutcome.LostOnPath), probe(120, CanaryOutcome.Survived)))
            .verdict());
    assertThrows(
        IllegalArgumentException.class,
        () -> PathDiscovery.bracket(List.of(probe(60, CanaryOutcome.Pending))));
  }

  private static PathDiscovery.Probe probe(int seconds, CanaryOutcome outcome) {
    return new PathDiscovery.Probe(seconds, outcome, "");
  }
}
