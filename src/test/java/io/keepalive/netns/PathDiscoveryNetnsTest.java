package io.keepalive.netns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.AgentConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * Idle-timeout discovery by the real agent through two {@link NatLab}s whose routers forget idle
 * flows after 20 s and 45 s: the bracket the agent reports contains the real timeout. Behind the 45
 * s NAT a second nginx closes idle connections itself after 8 s: that server's FIN is reported as
 * the server's doing, never as the path's timeout. Both agents try the same idle times at once, so
 * the test takes about the longest of them plus the time to tell a lost connection.
 */
// It holds connections idle through two NAT labs for about a minute, on real kernel
// timers and nearly idle: it runs beside the other test classes, which run one at a time
// (surefire's JUnit configuration in pom.xml). Its namespaces are its own (Netns).
@Execution(ExecutionMode.CONCURRENT)
class PathDiscoveryNetnsTest {
  static final List<Integer> IDLE_SECONDS = List.of(10, 30, 50);
  static NatLab nat20;
  static NatLab nat45;
  static String behind20;
  static String behind45;
  static String closesItself;
  @TempDir static Path dir;

  @BeforeAll
  static void labs() throws Exception {
    nat20 = NatLab.create(20, dir);
    nat45 = NatLab.create(45, dir);
    behind20 = nat20.nginx(Files.createDirectories(dir.resolve("nat20")), 8080, 300);
    Path lab45 = Files.createDirectories(dir.resolve("nat45"));
    behind45 = nat45.nginx(lab45, 8080, 300);
    closesItself = nat45.nginx(lab45, 8081, 8);
  }

  @AfterAll
  static void cleanup() {
    for (NatLab lab : new NatLab[] {nat20, nat45}) {
      if (lab != null) {
        lab.close();
      }
    }
  }

  @Test
  void theBracketContainsTheNatsTimeoutAndAServersOwnCloseIsNotThePath() throws Exception {
    AgentProcess agent20 = AgentProcess.start(nat20.client, dir, env(behind20));
    AgentProcess agent45 = AgentProcess.start(nat45.client, dir, env(behind45, closesItself));
    try {
      JsonObject at20 = firstRound(agent20, behind20);
      JsonObject at45 = firstRound(agent45, behind45);
      JsonObject server = firstRound(agent45, closesItself);

      assertBracket(at20, 20);
      assertBracket(at45, 45);
      assertEquals(
          "the path forgets an idle connection after more than 10 s and at most 30 s",
          at20.getString("summary"));
      assertEquals(
          List.of("Survived", "LostOnPath", "LostOnPath"), outcomes(at20), at20.encodePrettily());
      assertEquals(
          List.of("Survived", "Survived", "LostOnPath"), outcomes(at45), at45.encodePrettily());

      assertEquals("ServerClosesFirst", server.getString("state"), server.encodePrettily());
      assertNull(server.getInteger("shortestLostSeconds"), "a server's FIN is never a loss");
      assertEquals(3, server.getInteger("closedByServer"));
      Netns.assertContains(server.getString("summary"), "the server closes idle connections");
      // the same server's own timeout, measured on its own
      JsonObject target = agent45.target(closesItself);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> agent45.target(closesItself).getDouble("measuredIdleTimeoutSeconds") != null);
      double measured = agent45.target(closesItself).getDouble("measuredIdleTimeoutSeconds");
      assertTrue(measured >= 7 && measured <= 10, "nginx closes after 8 s, measured " + target);
    } finally {
      AgentProcess.printLog(agent20);
      AgentProcess.printLog(agent45);
      agent20.stop();
      agent45.stop();
    }
  }

  /** The longest survivor below the NAT's timeout, the shortest loss at or above it. */
  private static void assertBracket(JsonObject discovery, int natTimeout) {
    assertEquals("Bracketed", discovery.getString("state"), discovery.encodePrettily());
    int survived = discovery.getInteger("longestSurvivedSeconds");
    int lost = discovery.getInteger("shortestLostSeconds");
    assertTrue(
        survived < natTimeout && natTimeout <= lost,
        "bracket (" + survived + ", " + lost + "] misses the NAT's " + natTimeout + " s");
  }

  private static JsonObject firstRound(AgentProcess agent, String url) {
    return await()
        .atMost(Duration.ofSeconds(IDLE_SECONDS.get(IDLE_SECONDS.size() - 1) + 60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> agent.target(url).getJsonObject("pathDiscovery"),
            d -> d.getInteger("rounds") > 0);
  }

  private static List<String> outcomes(JsonObject discovery) {
    JsonArray probes = discovery.getJsonArray("probes");
    return probes.stream().map(p -> ((JsonObject) p).getString("outcome")).toList();
  }

  private static Map<String, String> env(String... urls) {
    JsonArray targets = new JsonArray();
    for (String url : urls) {
      targets.add(new JsonObject().put("url", url));
    }
    return Map.of(
        AgentConfig.ENV_POLICY, "discovery-lab",
        AgentConfig.ENV_PROBE_INTERVAL, "5",
        // the canary keeps out of the way: the round is what this test reads
        AgentConfig.ENV_CANARY_IDLE, "600",
        AgentConfig.ENV_TARGETS, targets.encode(),
        AgentConfig.ENV_DISCOVERY_IDLE,
            String.join(",", IDLE_SECONDS.stream().map(String::valueOf).toList()));
  }
}
