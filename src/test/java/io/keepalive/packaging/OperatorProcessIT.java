package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Ports;
import io.keepalive.testing.TestNamespaces;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar, as the image runs it (`operator` mode, prod profile, configured through
 * KEEPALIVE_* environment variables): it becomes ready, takes the leader Lease in its namespace,
 * and stops promptly on SIGTERM, as a pod must when Kubernetes replaces it.
 */
class OperatorProcessIT {
  static final String NAMESPACE = "keepalive-process-it";
  static KubernetesClient client;
  static OperatorProcess operator;

  @BeforeAll
  static void start() throws Exception {
    client = ControlPlane.client();
    TestNamespaces.ensure(client, NAMESPACE);
    Packaging.ensureCrd(client);
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    client.close();
  }

  @Test
  void readyThenLeaderThenStopsPromptlyOnSigterm() throws Exception {
    operator = OperatorProcess.operator(NAMESPACE, "keepalive-process-it", Ports.free());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var lease =
                  client.leases().inNamespace(NAMESPACE).withName("keepalive-operator-lease").get();
              assertTrue(
                  lease != null && lease.getSpec().getHolderIdentity() != null,
                  "no leader Lease yet");
            });

    long started = System.nanoTime();
    operator.process.destroy(); // SIGTERM
    boolean exited = operator.process.waitFor(15, TimeUnit.SECONDS);
    assertTrue(exited, "the operator did not stop within 15 s of SIGTERM:\n" + operator.tail());
    System.out.printf(
        "operator stopped %d ms after SIGTERM%n", (System.nanoTime() - started) / 1_000_000);
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("keepalive-process-it")
        .delete();
  }
}
