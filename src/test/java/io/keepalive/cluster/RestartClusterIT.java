package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.testing.Policies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pods created before their policy run without it, and the status says so; `kubectl rollout
 * restart` brings them in line, and the status says Applied.
 */
@ExtendWith(LocalCluster.class)
class RestartClusterIT {

  @Test
  void podsCreatedBeforeThePolicyAwaitARestart() {
    String ns = Workloads.namespace("restart", "restricted");
    try {
      Workloads.apply(Workloads.sleepers(ns, "orders", "orders", 2));
      Workloads.awaitRollout(ns, "orders");
      Workloads.policy(ns, "orders", "orders", "240/20/3", "Auto", "");
      Policies.awaitStatus(
          LocalCluster.client(),
          ns,
          "orders",
          Workloads.READY_WITHIN,
          policy -> assertEquals("False/PodsAwaitingRestart", ready(policy)));
      for (Pod pod : Workloads.runningPods(ns, "orders", 2)) {
        assertEquals(
            "7200/75/9", Workloads.keepaliveSeenBy(pod, "app"), "created before the policy");
      }

      LocalCluster.kubectl("rollout", "restart", "-n", ns, "deployment/orders");
      Workloads.awaitRollout(ns, "orders");
      Policies.awaitStatus(
          LocalCluster.client(),
          ns,
          "orders",
          Workloads.READY_WITHIN,
          policy -> assertEquals("True/Applied", ready(policy)));
      for (Pod pod : Workloads.runningPods(ns, "orders", 2)) {
        assertEquals(
            "240/20/3", Workloads.keepaliveSeenBy(pod, "app"), "restarted under the policy");
      }
    } finally {
      Workloads.deleteNamespace(ns);
    }
  }

  private static String ready(io.keepalive.policy.KeepalivePolicy policy) {
    return policy.getStatus().getConditions().stream()
        .filter(c -> c.getType().equals("Ready"))
        .map(c -> c.getStatus() + "/" + c.getReason())
        .findFirst()
        .orElse("absent");
  }
}
