package io.keepalive.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.PathIdleTimeout.Verdict;
import org.junit.jupiter.api.Test;

class PathIdleTimeoutTest {
  @Test
  void verdicts() {
    assertEquals(Verdict.Pending, PathIdleTimeout.NONE.verdict());
    assertEquals(Verdict.Bracketed, new PathIdleTimeout(120, 350, 0, 0, 6).verdict());
    assertEquals(Verdict.Inconsistent, new PathIdleTimeout(350, 350, 0, 0, 6).verdict());
    assertEquals(Verdict.LongerThanTried, new PathIdleTimeout(900, null, 0, 0, 6).verdict());
    assertEquals(Verdict.ShorterThanTried, new PathIdleTimeout(null, 60, 0, 0, 6).verdict());
    assertEquals(Verdict.ServerClosesFirst, new PathIdleTimeout(null, null, 5, 1, 6).verdict());
    assertEquals(Verdict.Unreachable, new PathIdleTimeout(null, null, 0, 6, 6).verdict());
  }

  @Test
  void agentsAddUpToTheLongestSurvivorAndTheShortestLoss() {
    PathIdleTimeout a = new PathIdleTimeout(120, 600, 0, 0, 6);
    PathIdleTimeout b = new PathIdleTimeout(240, 350, 1, 0, 6);
    assertEquals(new PathIdleTimeout(240, 350, 1, 0, 12), a.plus(b));
    assertEquals(a, PathIdleTimeout.NONE.plus(a));
    assertEquals(
        Verdict.Inconsistent,
        a.plus(new PathIdleTimeout(null, 60, 0, 0, 6)).verdict(),
        "one pod's path kept 120 s, another's lost 60 s");
  }

  @Test
  void theServersOwnClosesAreNamedNeverBracketed() {
    String summary = new PathIdleTimeout(30, null, 2, 0, 4).summary();
    assertTrue(summary.startsWith("the path kept idle connections for 30 s"), summary);
    assertTrue(summary.contains("the server itself closed 2 idle connection(s)"), summary);
  }
}
