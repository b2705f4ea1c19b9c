package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Sysctl;
import io.keepalive.sidecar.KeepaliveValues;
import io.keepalive.sidecar.Modes;
import io.keepalive.testing.TestSettings;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InjectedContainersTest {
  final InjectedContainers containers = new InjectedContainers(TestSettings.defaults());

  @Test
  void theSysctlsCarryTheValuesInEnumOrder() {
    assertEquals(
        List.of(
            new Sysctl("net.ipv4.tcp_keepalive_time", "300"),
            new Sysctl("net.ipv4.tcp_keepalive_intvl", "30"),
            new Sysctl("net.ipv4.tcp_keepalive_probes", "5")),
        InjectedContainers.sysctls(new KeepaliveValues(300, 30, 5)));
  }

  @Test
  void theInitContainerSpeaksTheAgentsOwnCommandLine() {
    var init =
        containers
            .sysctlInitContainer(
                new KeepaliveValues(300, 30, 5), Set.of("net.ipv4.tcp_keepalive_intvl"))
            .orElseThrow();
    // a sysctl the pod sets itself is left out; the others in the agent's option syntax
    assertEquals(List.of(Modes.APPLY_SYSCTLS, "--time=300", "--probes=5"), init.getArgs());
    assertTrue(init.getSecurityContext().getPrivileged());
  }

  @Test
  void noInitContainerWhenThePodSetsAllThree() {
    assertTrue(
        containers
            .sysctlInitContainer(
                new KeepaliveValues(300, 30, 5),
                Set.of(
                    "net.ipv4.tcp_keepalive_time",
                    "net.ipv4.tcp_keepalive_intvl",
                    "net.ipv4.tcp_keepalive_probes"))
            .isEmpty());
  }

  @Test
  void thePodsOwnNumbersStayInForceAndGarbageDoesNot() {
    var policy = new KeepaliveValues(300, 30, 5);
    assertEquals(
        new KeepaliveValues(600, 30, 5),
        InjectedContainers.inForce(policy, Map.of("net.ipv4.tcp_keepalive_time", " 600 ")));
    assertEquals(
        policy,
        InjectedContainers.inForce(policy, Map.of("net.ipv4.tcp_keepalive_probes", "many")));
    assertEquals(policy, InjectedContainers.inForce(policy, Map.of()));
  }
}
