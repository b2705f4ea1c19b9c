package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Sysctl;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Both ways values get into real pods, read back inside the running containers from /proc/sys: the
 * pod's securityContext.sysctls in a Pod Security "restricted" namespace, with no privileged
 * container anywhere, and the privileged init container running `apply-sysctls` from the project's
 * image where Pod Security allows it. The node's own values never change.
 */
@ExtendWith(LocalCluster.class)
class StrategiesClusterIT {

  @Test
  void securityContextStrategyInARestrictedNamespace() {
    String host = Workloads.hostKeepalive();
    String ns = Workloads.namespace("strategy-sc", "restricted");
    try {
      Workloads.policy(ns, "egress", "payments", "300/15/4", "SecurityContext", "");
      Workloads.apply(Workloads.sleepers(ns, "payments", "payments", 2));
      Workloads.awaitRollout(ns, "payments");

      for (Pod pod : Workloads.runningPods(ns, "payments", 2)) {
        assertEquals(
            "300/15/4", Workloads.keepaliveSeenBy(pod, "app"), pod.getMetadata().getName());
        assertEquals(
            List.of(
                "net.ipv4.tcp_keepalive_time=300",
                "net.ipv4.tcp_keepalive_intvl=15",
                "net.ipv4.tcp_keepalive_probes=4"),
            pod.getSpec().getSecurityContext().getSysctls().stream()
                .map(s -> s.getName() + "=" + s.getValue())
                .toList());
        List<Container> all =
            Stream.concat(
                    pod.getSpec().getInitContainers().stream(),
                    pod.getSpec().getContainers().stream())
                .toList();
        assertFalse(
            all.stream()
                .anyMatch(
                    c ->
                        c.getSecurityContext() != null
                            && Boolean.TRUE.equals(c.getSecurityContext().getPrivileged())),
            "a privileged container in a restricted namespace: " + all);
      }
      assertEquals(host, Workloads.hostKeepalive(), "the node's own values changed");
    } finally {
      Workloads.deleteNamespace(ns);
    }
  }

  @Test
  void initContainerStrategyInAPrivilegedNamespace() {
    String host = Workloads.hostKeepalive();
    String ns = Workloads.namespace("strategy-init", "privileged");
    try {
      Workloads.policy(ns, "legacy", "batch", "120/30/5", "InitContainer", "");
      Workloads.apply(Workloads.sleepers(ns, "batch", "batch", 1));
      Workloads.awaitRollout(ns, "batch");

      Pod pod = Workloads.runningPods(ns, "batch", 1).get(0);
      assertEquals("120/30/5", Workloads.keepaliveSeenBy(pod, "app"));
      assertTrue(
          pod.getSpec().getSecurityContext() == null
              || pod.getSpec().getSecurityContext().getSysctls().stream()
                  .map(Sysctl::getName)
                  .noneMatch(n -> n.startsWith("net.ipv4.tcp_keepalive")),
          "the sysctls went by the init container");
      ContainerStatus init =
          pod.getStatus().getInitContainerStatuses().stream()
              .filter(s -> s.getName().equals("keepalive-sysctls"))
              .findFirst()
              .orElseThrow();
      assertNotNull(
          init.getState().getTerminated(), "apply-sysctls has not finished: " + init.getState());
      assertEquals(0, init.getState().getTerminated().getExitCode());
      // the JVM announces JAVA_TOOL_OPTIONS on stderr first; the command's own line is the last
      List<String> log =
          LocalCluster.kubectl(
                  "logs", "-n", ns, pod.getMetadata().getName(), "-c", "keepalive-sysctls")
              .lines()
              .toList();
      assertEquals(
          "apply-sysctls: in force in this network namespace: tcp_keepalive_time=120 "
              + "tcp_keepalive_intvl=30 tcp_keepalive_probes=5",
          log.get(log.size() - 1));
      assertEquals(host, Workloads.hostKeepalive(), "the node's own values changed");
    } finally {
      Workloads.deleteNamespace(ns);
    }
  }
}
