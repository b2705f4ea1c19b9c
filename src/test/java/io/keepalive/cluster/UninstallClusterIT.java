package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.PodMarks;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * `helm uninstall` leaves no webhook registration and no workload of the operator behind, and pods
 * of a namespace whose policy stays (the CRD is kept) are still created, without injection. The
 * chart is installed again afterwards for the classes that run later.
 */
@ExtendWith(LocalCluster.class)
class UninstallClusterIT {

  @Test
  void uninstallLeavesNothingThatBlocksPods() {
    String ns = Workloads.namespace("uninstall", "restricted");
    try {
      Workloads.policy(ns, "kept", "web", "300/15/4", "Auto", "");
      LocalCluster.helm(
          "uninstall",
          LocalCluster.RELEASE,
          "--namespace",
          LocalCluster.OPERATOR_NAMESPACE,
          "--wait",
          "--timeout",
          "3m");

      var client = LocalCluster.client();
      assertTrue(
          client
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .list()
              .getItems()
              .stream()
              .noneMatch(w -> w.getMetadata().getName().startsWith("keepalive")),
          "a webhook registration is left");
      Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  client
                      .pods()
                      .inNamespace(LocalCluster.OPERATOR_NAMESPACE)
                      .list()
                      .getItems()
                      .isEmpty());
      assertTrue(
          client
              .apps()
              .deployments()
              .inNamespace(LocalCluster.OPERATOR_NAMESPACE)
              .list()
              .getItems()
              .isEmpty());

      Workloads.apply(Workloads.sleepers(ns, "web", "web", 1));
      Workloads.awaitRollout(ns, "web");
      Pod pod = Workloads.runningPods(ns, "web", 1).get(0);
      assertTrue(
          pod.getMetadata().getAnnotations() == null
              || !pod.getMetadata().getAnnotations().containsKey(PodMarks.POLICY_ANNOTATION),
          "injected with no operator");
      assertEquals(1, pod.getSpec().getContainers().size());
      assertEquals("7200/75/9", Workloads.keepaliveSeenBy(pod, "app"));
    } finally {
      Workloads.deleteNamespace(ns);
      LocalCluster.installChart();
    }
  }
}
