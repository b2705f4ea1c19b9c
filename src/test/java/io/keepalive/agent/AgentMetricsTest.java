package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMetricsTest {
  @TempDir Path root;

  @Test
  void gaugesReadTheLatestSnapshots() throws Exception {
    Path ipv4 = Files.createDirectories(root.resolve("sys/net/ipv4"));
    Files.writeString(ipv4.resolve("tcp_keepalive_time"), "7200\n");
    Files.writeString(ipv4.resolve("tcp_keepalive_intvl"), "75\n");
    Files.writeString(ipv4.resolve("tcp_keepalive_probes"), "9\n");
    String scrape = scrape(ipv4.getParent().getParent());
    assertTrue(scrape.contains("\nkeepalive_sysctl_time_seconds 7200.0\n"), scrape);
    assertTrue(scrape.contains("\nkeepalive_sysctl_interval_seconds 75.0\n"), scrape);
    assertTrue(scrape.contains("\nkeepalive_sysctl_probes 9.0\n"), scrape);
    assertTrue(scrape.contains("\nkeepalive_desired_time_seconds 7200.0\n"), scrape);
    assertTrue(scrape.contains("\nkeepalive_sysctls_in_sync 1.0\n"), scrape);
    assertTrue(scrape.contains("keepalive_target_reachable{target=\"not a url\",} 0.0"), scrape);
    assertTrue(
        scrape.contains("keepalive_canary_state{target=\"ftp://x\",state=\"Unreachable\",} 1.0"),
        scrape);
    // two established sockets, one with its keepalive timer armed; the agent's own (port 9901)
    // left out
    assertTrue(
        scrape.contains("keepalive_tcp_sockets{state=\"established_keepalive_armed\",} 1.0"),
        scrape);
    assertTrue(
        scrape.contains("keepalive_tcp_sockets{state=\"established_keepalive_off\",} 1.0"), scrape);
    assertTrue(scrape.contains("keepalive_target_resets_on_reuse_total{target="), scrape);
  }

  /** An unknown value has no series: a NaN would make every comparison in an alert false. */
  @Test
  void unknownValuesHaveNoSeries() throws Exception {
    String scrape = scrape(root.resolve("no-such-sys"));
    assertFalse(scrape.contains("NaN"), scrape);
    for (String absent :
        List.of(
            "keepalive_sysctl_time_seconds ",
            "keepalive_sysctls_in_sync ",
            "keepalive_target_http_keepalive{",
            "keepalive_target_reuse_ratio{",
            "keepalive_target_server_idle_timeout_seconds{")) {
      assertFalse(scrape.contains("\n" + absent), absent + " in\n" + scrape);
    }
    assertTrue(scrape.contains("\nkeepalive_desired_time_seconds 7200.0\n"), scrape);
  }

  @Test
  void everyMetricHasHelpText() throws Exception {
    String scrape = scrape(root.resolve("no-such-sys"));
    List<String> types = scrape.lines().filter(l -> l.startsWith("# TYPE ")).toList();
    assertTrue(types.size() >= 15, scrape);
    for (String type : types) {
      String name = type.split(" ")[2];
      assertTrue(
          scrape.lines().anyMatch(l -> l.startsWith("# HELP " + name + " ") && l.length() > 30),
          "no HELP text for " + name);
    }
  }

  @Test
  void targetsAreLabelledByHostAndPortNeverByTheirQuery() {
    assertEquals(
        List.of("orders:8080", "api.example:443/v1", "api.example:443/v2", "[::1]:80"),
        TargetLabels.of(
            List.of(
                "http://orders:8080/healthz?token=secret",
                "https://api.example/v1?id=1",
                "https://api.example/v2",
                "http://[::1]/")));
    assertEquals(
        List.of("a:80/x", "a:80/x#2"), TargetLabels.of(List.of("http://a/x?1", "http://a/x?2")));
  }

  private String scrape(Path sys) throws Exception {
    Path procNet = Files.createDirectories(root.resolve("net"));
    Files.writeString(procNet.resolve("tcp"), AgentFixtures.TCP);
    // bad URLs start no probe threads, so nothing here touches the network; 9901 (0x26AD) is left
    // out
    AgentConfig config =
        AgentConfig.fromEnv(
            Map.of(AgentConfig.ENV_TARGETS, "[{\"url\":\"not a url\"},{\"url\":\"ftp://x\"}]"));
    Agent agent = new Agent(config, new KeepaliveSysctls(sys), procNet);
    agent.start();
    try {
      return new AgentMetrics(agent).scrape();
    } finally {
      agent.stop();
    }
  }
}
