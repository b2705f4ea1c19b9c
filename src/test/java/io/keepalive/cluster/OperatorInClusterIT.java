package io.keepalive.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.keepalive.operator.LeaderElection;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator as the chart installs it: one pod, running as its ServiceAccount with the chart's
 * RBAC, holding the Lease and renewing it (it must not lose it and restart), reaching the API
 * server through the kubernetes Service, its webhook registered through its Service with a
 * caBundle.
 */
@ExtendWith(LocalCluster.class)
class OperatorInClusterIT {

  @Test
  void theOperatorHoldsItsLeaseAndKeepsRunning() {
    var client = LocalCluster.client();
    Pod operator =
        client.pods().inNamespace(LocalCluster.OPERATOR_NAMESPACE).list().getItems().stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
            .findFirst()
            .orElseThrow();
    String name = operator.getMetadata().getName();
    Lease first = lease();
    assertEquals(name, first.getSpec().getHolderIdentity());
    // several renewals later: renewed, still held by the same pod, which never restarted
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                lease()
                    .getSpec()
                    .getRenewTime()
                    .isAfter(first.getSpec().getRenewTime().plusSeconds(15)));
    assertEquals(name, lease().getSpec().getHolderIdentity());
    Pod now = client.pods().inNamespace(LocalCluster.OPERATOR_NAMESPACE).withName(name).get();
    assertEquals(
        0,
        now.getStatus().getContainerStatuses().get(0).getRestartCount(),
        () ->
            "the operator restarted: "
                + LocalCluster.kubectlResult(
                        "logs",
                        "-n",
                        LocalCluster.OPERATOR_NAMESPACE,
                        name,
                        "--previous",
                        "--tail=30")
                    .output());
    assertTrue(now.getStatus().getContainerStatuses().get(0).getReady());
    String env = operator.getSpec().getContainers().get(0).getEnv().toString();
    assertFalse(
        env.contains("KUBERNETES_SERVICE_HOST"), "in-cluster configuration, not an override");

    MutatingWebhookConfiguration webhook =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(LocalCluster.RELEASE)
            .get();
    assertNotNull(
        webhook.getWebhooks().get(0).getClientConfig().getService(), "registered by Service");
    assertFalse(webhook.getWebhooks().get(0).getClientConfig().getCaBundle().isBlank());
  }

  private static Lease lease() {
    return LocalCluster.client()
        .leases()
        .inNamespace(LocalCluster.OPERATOR_NAMESPACE)
        .withName(LeaderElection.LEASE_NAME)
        .get();
  }
}
