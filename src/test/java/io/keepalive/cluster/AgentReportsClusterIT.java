package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.status.ObservedHealth;
import io.keepalive.testing.Policies;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The injected agent runs as a native sidecar in real pods and reports, and what the operator
 * writes on the policy matches the pods' real connections, counted from outside with `ss` in each
 * pod's network namespace: a client that arms TCP keepalive on its pooled connections and one that
 * does not, both to an nginx through its Service.
 */
@ExtendWith(LocalCluster.class)
class AgentReportsClusterIT {
  private static String ns;

  @BeforeAll
  static void workloads() {
    ns = Workloads.namespace("agents", "restricted");
    Workloads.apply(Workloads.nginx(ns, "inventory", 300));
    Workloads.awaitRollout(ns, "inventory");
    String server =
        LocalCluster.client()
            .services()
            .inNamespace(ns)
            .withName("inventory")
            .get()
            .getSpec()
            .getClusterIP();
    Workloads.policy(
        ns, "clients", "client", "300/15/4", "Auto", "agent: {probeIntervalSeconds: 5}");
    Workloads.apply(Workloads.pooledClient(ns, "armed", "client", server, 3, true));
    Workloads.apply(Workloads.pooledClient(ns, "plain", "client", server, 2, false));
    Workloads.awaitRollout(ns, "armed");
    Workloads.awaitRollout(ns, "plain");
  }

  @AfterAll
  static void cleanUp() {
    Workloads.deleteNamespace(ns);
  }

  @Test
  void theAgentRunsAsANativeSidecar() {
    for (Pod pod : Workloads.runningPods(ns, "armed", 1)) {
      Container agent =
          pod.getSpec().getInitContainers().stream()
              .filter(c -> c.getName().equals("keepalive-agent"))
              .findFirst()
              .orElseThrow();
      assertEquals(
          "Always",
          agent.getRestartPolicy(),
          "a native sidecar is an init container that restarts");
      ContainerStatus status =
          pod.getStatus().getInitContainerStatuses().stream()
              .filter(s -> s.getName().equals("keepalive-agent"))
              .findFirst()
              .orElseThrow();
      assertTrue(
          Boolean.TRUE.equals(status.getReady()) && status.getState().getRunning() != null,
          "agent not running and ready: " + status);
    }
  }

  @Test
  void theStatusCountsThePodsRealConnections() {
    Policies.awaitStatus(
        LocalCluster.client(),
        ns,
        "clients",
        Workloads.READY_WITHIN,
        policy -> {
          assertEquals("True", condition(policy, "AgentsReporting"), "AgentsReporting");
          assertEquals("False", condition(policy, "Drifted"), "Drifted");
          ObservedHealth observed = policy.getStatus().getObserved();
          assertEquals(2, observed.getPodsReporting());
          assertEquals(2, observed.getPodsInSync());
          assertEquals(5, observed.getEstablishedConnections());
          assertEquals(2, observed.getConnectionsWithoutKeepalive());
        });
    // the same, counted with ss in the pods' network namespaces (the agent's own port left out)
    int established = 0;
    int withKeepaliveTimer = 0;
    for (String app : List.of("armed", "plain")) {
      for (Pod pod : Workloads.runningPods(ns, app, 1)) {
        List<String> sockets =
            LocalCluster.inNetworkOf(pod, "ss", "-Htno", "state", "established")
                .lines()
                .filter(line -> !line.contains(":9901 "))
                .toList();
        established += sockets.size();
        withKeepaliveTimer +=
            (int) sockets.stream().filter(line -> line.contains("timer:(keepalive")).count();
      }
    }
    assertEquals(5, established, "established connections in the pods");
    assertEquals(3, withKeepaliveTimer, "connections with TCP keepalive armed");
  }

  private static String condition(KeepalivePolicy policy, String type) {
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse("absent");
  }
}
