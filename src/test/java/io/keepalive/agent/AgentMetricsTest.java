package io.keepalive.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.sidecar.AgentConfig;
import java.nio.file.Files;
import java.nio.file.Path;
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
    Path procNet = Files.createDirectories(root.resolve("net"));
    Files.writeString(procNet.resolve("tcp"), AgentFixtures.TCP);
    // bad URLs start no probe threads, so nothing here touches the network; 9901 (0x26AD) is left
    // out
    AgentConfig config =
        AgentConfig.fromEnv(
            Map.of(AgentConfig.ENV_TARGETS, "[{\"url\":\"not a url\"},{\"url\":\"ftp://x\"}]"));
    Agent agent = new Agent(config, new KeepaliveSysctls(root.resolve("sys")), procNet);
    agent.start();
    try {
      String scrape = new AgentMetrics(agent).scrape();
      assertTrue(
          scrape.contains("keepalive_sysctl_observed{sysctl=\"tcp_keepalive_time\",} 7200.0"),
          scrape);
      assertTrue(scrape.contains("keepalive_target_reachable{url=\"not a url\",} 0.0"), scrape);
      assertTrue(
          scrape.contains("keepalive_canary_state{state=\"Unreachable\",url=\"ftp://x\",} 1.0"),
          scrape);
      assertTrue(scrape.contains("keepalive_sockets{state=\"established\",} 2.0"), scrape);
    } finally {
      agent.stop();
    }
  }
}
