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
 * pod's network namespace: a client that arms TCP keepalive on its pooled connections (in sync, no
 * drift) and one that does not (the agents' finding: no sysctl can help those connections), each
 * under its own policy, both to an nginx through its Service.
 */
@ExtendWith(LocalCluster.class)
class AgentReportsClusterIT {
  private static String ns;

  @BeforeAll
  static void workloads() {
    ns = Workloads.namespace("agents", "restricted");
    Workloads.apply(Workloads.nginx(ns, "inventory", 300));
    Workloads.awaitRollout(ns, "inventory");
    String server = Workloads.clusterIp(ns, "inventory");
    for (String tier : List.of("armed", "plain")) {
      Workloads.policy(ns, tier, tier, "300/15/4", "Auto", "agent: {probeIntervalSeconds: 5}");
    }
    Workloads.apply(Workloads.pooledClient(ns, "armed", "armed", server, 3, true));
    Workloads.apply(Workloads.pooledClient(ns, "plain", "plain", server, 2, false));
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
  void connectionsWithKeepaliveArmedAreInSync() {
    awaitObserved("armed", "False", 3, 0);
    assertEquals(List.of(3, 3), realConnections("armed"), "established / keepalive armed, by ss");
  }

  @Test
  void connectionsWithoutKeepaliveAreTheAgentsFinding() {
    Policies.awaitStatus(
        LocalCluster.client(),
        ns,
        "plain",
        Workloads.READY_WITHIN,
        policy ->
            assertEquals(
                "AgentFindings",
                reason(policy, "Drifted"),
                explain(policy, "Drifted") + "; findings " + policy.getStatus().getObserved()));
    awaitObserved("plain", "True", 2, 2);
    assertEquals(List.of(2, 0), realConnections("plain"), "established / keepalive armed, by ss");
  }

  /** The policy's status once its one pod's agent reports the given connection counts. */
  private static void awaitObserved(String policyName, String drifted, int established, int off) {
    Policies.awaitStatus(
        LocalCluster.client(),
        ns,
        policyName,
        Workloads.READY_WITHIN,
        policy -> {
          assertEquals(
              "True", condition(policy, "AgentsReporting"), explain(policy, "AgentsReporting"));
          assertEquals(drifted, condition(policy, "Drifted"), explain(policy, "Drifted"));
          ObservedHealth observed = policy.getStatus().getObserved();
          assertEquals(1, observed.getPodsReporting());
          assertEquals(1, observed.getPodsInSync());
          assertEquals(established, observed.getEstablishedConnections());
          assertEquals(off, observed.getConnectionsWithoutKeepalive());
        });
  }

  /**
   * [established, with the keepalive timer armed] in the pod of {@code app}, counted with ss in its
   * network namespace, the agent's own port left out.
   */
  private static List<Integer> realConnections(String app) {
    Pod pod = Workloads.runningPods(ns, app, 1).get(0);
    List<String> sockets =
        LocalCluster.inNetworkOf(pod, "ss", "-Htno", "state", "established")
            .lines()
            .filter(line -> !line.contains(":9901 "))
            .toList();
    int armed = (int) sockets.stream().filter(line -> line.contains("timer:(keepalive")).count();
    return List.of(sockets.size(), armed);
  }

  private static String reason(KeepalivePolicy policy, String type) {
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getReason())
        .findFirst()
        .orElse("absent");
  }

  private static String condition(KeepalivePolicy policy, String type) {
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse("absent");
  }

  private static String explain(KeepalivePolicy policy, String type) {
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> type + " " + c.getReason() + ": " + c.getMessage())
        .findFirst()
        .orElse(type + " absent");
  }
}
