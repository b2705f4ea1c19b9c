package io.keepalive.sidecar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepalive.policy.spec.HttpTarget;
import io.keepalive.testing.Policies;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  @Test
  void defaultsAreUsable() {
    AgentConfig config = AgentConfig.fromEnv(Map.of());
    assertEquals(List.of(), config.problems());
    assertEquals(AgentConfig.DEFAULT_PORT, config.port());
    assertEquals(KeepaliveValues.LINUX_DEFAULTS, config.desired());
  }

  @Test
  void aZeroIntervalWouldSpinAndIsRefused() {
    AgentConfig config =
        AgentConfig.fromEnv(
            Map.of(
                AgentConfig.ENV_PROBE_INTERVAL,
                "0",
                AgentConfig.ENV_CANARY_IDLE,
                "-1",
                AgentConfig.ENV_PORT,
                "70000"));
    assertEquals(3, config.problems().size(), config.problems().toString());
    assertTrue(config.problems().get(0).startsWith(AgentConfig.ENV_PORT + "=70000"));
  }

  @Test
  void envRoundTripsEveryField() {
    // Every value differs from its default: a field that toEnv or fromEnv drops comes back as the
    // default and
    // fails here, which comparing two round trips with each other would not notice.
    AgentConfig config =
        new AgentConfig(
            "p",
            new KeepaliveValues(120, 15, 4),
            9902,
            45,
            333,
            List.of(
                new HttpTarget("http://a:8080/healthz?x=1", 60), new HttpTarget("https://b", null)),
            List.of(10, 30),
            600);
    AgentConfig again = AgentConfig.fromEnv(config.toEnv());
    assertEquals("p", again.policy());
    assertEquals(new KeepaliveValues(120, 15, 4), again.desired());
    assertEquals(9902, again.port());
    assertEquals(45, again.probeIntervalSeconds());
    assertEquals(333, again.canaryIdleSeconds());
    assertEquals(2, again.targets().size());
    assertEquals("http://a:8080/healthz?x=1", again.targets().get(0).getUrl());
    assertEquals(60, again.targets().get(0).getClientIdleTimeoutSeconds());
    assertEquals("https://b", again.targets().get(1).getUrl());
    assertNull(again.targets().get(1).getClientIdleTimeoutSeconds());
    assertEquals(List.of(10, 30), again.discoveryIdleSeconds());
    assertEquals(600, again.discoveryRepeatSeconds());
  }

  @Test
  void canaryIdleDefaultsToTwiceTheKeepaliveTime() {
    assertEquals(240, AgentConfig.fromEnv(Map.of(AgentConfig.ENV_TIME, "120")).canaryIdleSeconds());
  }

  @Test
  void forAPolicyTheAgentExpectsTheValuesInForceAndTheCanaryOutlivesThePath() {
    var policy = Policies.named("web").tcp(300, 30, 5).build();
    var inForce = new KeepaliveValues(600, 30, 5);
    AgentConfig config = AgentConfig.forPolicy(policy, inForce, 9901);
    assertEquals(inForce, config.desired());
    assertEquals(1200, config.canaryIdleSeconds(), "twice the time in force, not the policy's");
    policy.getSpec().getTcp().setPathIdleTimeoutSeconds(350);
    assertEquals(380, AgentConfig.forPolicy(policy, inForce, 9901).canaryIdleSeconds());
  }
}
