package io.keepalive.netns;

import static io.keepalive.netns.Netns.assertContains;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent mode in a namespace with nothing but loopback: no kubeconfig, no Kubernetes service, a
 * target nobody listens on and a bad URL. It must start, serve, and report both, while /healthz
 * keeps answering.
 */
class AgentStandaloneNetnsTest {
  static final String REFUSED = "http://127.0.0.1:8999/";
  static final String BAD = "htp:/nowhere";
  static Netns ns;
  static AgentProcess agent;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    Netns.requireTools("ip", "curl");
    ns = Netns.create("standalone");
    agent =
        AgentProcess.start(
            ns,
            dir,
            Map.of(
                "KEEPALIVE_POLICY", "lonely",
                "KEEPALIVE_AGENT_PORT", "9911",
                "KEEPALIVE_PROBE_INTERVAL_SECONDS", "1",
                "KEEPALIVE_CANARY_IDLE_SECONDS", "2",
                "KEEPALIVE_HTTP_TARGETS",
                    "[{\"url\":\"" + REFUSED + "\"},{\"url\":\"" + BAD + "\"}]"));
  }

  @AfterAll
  static void cleanup() {
    AgentProcess.printLog(agent);
    Netns.closeAll(ns);
  }

  @Test
  void servesAndReportsUnreachableAndBadTargets() {
    JsonObject refused =
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(300))
            .until(() -> agent.target(REFUSED), t -> t.getString("error") != null);
    assertFalse(refused.getBoolean("reachable"));
    assertContains(refused.getString("error"), "Connection refused");
    JsonObject canary =
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(300))
            .until(
                () -> agent.target(REFUSED).getJsonObject("canary"),
                c -> !c.getString("state").equals("Pending"));
    assertEquals("Unreachable", canary.getString("state"));

    JsonObject bad = agent.target(BAD);
    assertFalse(bad.getBoolean("reachable"));
    assertContains(bad.getString("error"), "bad URL");
    assertEquals("Unreachable", bad.getJsonObject("canary").getString("state"));

    JsonObject status = agent.status();
    assertEquals("lonely", status.getString("policy"));
    JsonArray findings = status.getJsonArray("findings");
    assertContains(findings.encode(), REFUSED + ": unreachable");
    assertContains(findings.encode(), BAD + ": bad URL");

    // still serving after several failed rounds
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> agent.target(REFUSED).getJsonObject("canary").getLong("completedRuns") >= 3);
    assertEquals("ok\n", ns.curl("http://127.0.0.1:9911/healthz"));
    String metrics = ns.curl("http://127.0.0.1:9911/metrics");
    // targets are labelled by host and port, never by their full URL
    assertContains(
        metrics,
        "keepalive_target_reachable{target=\"" + URI.create(REFUSED).getAuthority() + "\",} 0.0");
    assertContains(metrics, "keepalive_tcp_sockets{state=\"established_keepalive_off\",}");
    assertContains(metrics, "\nkeepalive_sysctl_time_seconds 7200.0\n");
    assertFalse(metrics.contains("NaN"), metrics);
    assertTrue(agent.process.isAlive());
    assertFalse(agent.log().toLowerCase().contains("quarkus"), agent.log());
    assertFalse(agent.log().toLowerCase().contains("kubernetes"), agent.log());
  }

  @Test
  void badConfigurationExits2WithTheVariableNamed() {
    for (String[] bad :
        new String[][] {
          {
            "KEEPALIVE_PROBE_INTERVAL_SECONDS=soon",
            "KEEPALIVE_PROBE_INTERVAL_SECONDS=soon is not a whole number"
          },
          {
            "KEEPALIVE_PROBE_INTERVAL_SECONDS=0",
            "KEEPALIVE_PROBE_INTERVAL_SECONDS=0 must be at least 1"
          },
          {"KEEPALIVE_HTTP_TARGETS={}", "KEEPALIVE_HTTP_TARGETS is not a JSON array"}
        }) {
      List<String> cmd = new ArrayList<>(List.of("env", bad[0]));
      cmd.addAll(Netns.app("agent"));
      Netns.Result r = ns.exec(cmd.toArray(String[]::new));
      assertEquals(2, r.exit(), r.toString());
      assertContains(r.stderr(), bad[1]);
    }
  }
}
