package io.keepalive.netns;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The idle canary through a {@link NatLab} whose router forgets established flows after {@value
 * #CONNTRACK_TIMEOUT} s idle, in front of nginx keeping idle connections 300 s. With kernel default
 * sysctls the canary is lost on the path; with a keepalive time below the NAT timeout it survives.
 */
// It waits out a NAT lab's conntrack timeout for about 40 s, on real kernel
// timers and nearly idle: it runs beside the other test classes, which run one at a time
// (surefire's JUnit configuration in pom.xml). Its namespaces are its own (Netns).
@Execution(ExecutionMode.CONCURRENT)
class NatLabNetnsTest {
  static final int CONNTRACK_TIMEOUT = 10;
  static final int CANARY_IDLE = 15;
  static NatLab lab;
  static Netns client;
  static String target;
  @TempDir static Path dir;

  @BeforeAll
  static void lab() throws Exception {
    lab = NatLab.create(CONNTRACK_TIMEOUT, dir);
    client = lab.client;
    target = lab.nginx(dir, 8080, 300);
  }

  @AfterAll
  static void cleanup() {
    if (lab != null) {
      lab.close();
    }
  }

  JsonObject firstCanary(AgentProcess agent) {
    try {
      return await()
          .atMost(Duration.ofSeconds(CANARY_IDLE + 40))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> agent.target(target).getJsonObject("canary"),
              c -> !c.getString("state").equals("Pending"));
    } finally {
      System.out.println("agent log:\n" + agent.log());
    }
  }

  @Test
  void canaryIsLostWithKernelDefaultsAndSurvivesWithShortKeepalive() throws Exception {
    Map<String, String> env =
        Map.of(
            "KEEPALIVE_POLICY", "nat-lab",
            "KEEPALIVE_DESIRED_TIME_SECONDS", "3",
            "KEEPALIVE_DESIRED_INTERVAL_SECONDS", "2",
            "KEEPALIVE_DESIRED_PROBES", "3",
            "KEEPALIVE_PROBE_INTERVAL_SECONDS", "5",
            "KEEPALIVE_CANARY_IDLE_SECONDS", Integer.toString(CANARY_IDLE),
            "KEEPALIVE_HTTP_TARGETS", "[{\"url\":\"" + target + "\"}]");

    // 1. kernel defaults (7200 s): the first keepalive probe would leave long after the NAT forgot
    // the flow
    assertEquals("7200", client.readSysctl("tcp_keepalive_time"));
    AgentProcess before = AgentProcess.start(client, dir, env);
    JsonObject lost = firstCanary(before);
    assertEquals("LostOnPath", lost.getString("state"), lost.encode());
    JsonObject status = before.status();
    assertEquals(false, status.getJsonObject("sysctls").getBoolean("inSync"));
    Netns.assertContains(status.getJsonArray("findings").getString(0), "lost on the path");
    before.stop();

    // 2. the init container's job, then the same agent again
    Netns.Result applied =
        client.exec(
            Netns.app("apply-sysctls", "--time=3", "--interval=2", "--probes=3")
                .toArray(String[]::new));
    assertEquals(0, applied.exit(), applied.toString());
    AgentProcess after = AgentProcess.start(client, dir, env);
    JsonObject survived = firstCanary(after);
    assertEquals("Survived", survived.getString("state"), survived.encode());
    assertEquals(true, after.status().getJsonObject("sysctls").getBoolean("inSync"));
    after.stop();
  }
}
