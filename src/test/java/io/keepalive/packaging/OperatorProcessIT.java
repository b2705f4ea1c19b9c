package io.keepalive.packaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.keepalive.operator.LeaderElection;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Policies;
import io.keepalive.testing.Ports;
import io.keepalive.testing.TestNamespaces;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar, as the image runs it (`operator` mode, prod profile, configured through
 * KEEPALIVE_* environment variables): it becomes ready, takes the leader Lease in its namespace,
 * and stops promptly on SIGTERM, giving the Lease up, as a pod must when Kubernetes replaces it;
 * and when another holder takes the Lease, it stops reconciling but keeps running and answering the
 * API server's reviews, and reconciles again once the Lease is free.
 */
class OperatorProcessIT {
  static KubernetesClient client;

  static final String REVIEW =
      """
      {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",
       "kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"nowhere",
       "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
                 "spec":{"containers":[{"name":"app","image":"app:1"}]}}}}
      """;

  @BeforeAll
  static void start() throws Exception {
    client = ControlPlane.client();
    Packaging.ensureCrd(client);
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  static String holder(String namespace) {
    Lease lease = client.leases().inNamespace(namespace).withName(LeaderElection.LEASE_NAME).get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  static void deleteRegistration(String name) {
    client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).delete();
  }

  @Test
  void readyThenLeaderThenStopsPromptlyOnSigterm() throws Exception {
    String ns = "keepalive-process-it";
    TestNamespaces.ensure(client, ns);
    try (OperatorProcess operator = OperatorProcess.operator(ns, ns, Ports.free())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertTrue(holder(ns) != null && !holder(ns).isEmpty(), "no leader Lease yet"));

      long started = System.nanoTime();
      operator.process.destroy(); // SIGTERM
      boolean exited = operator.process.waitFor(15, TimeUnit.SECONDS);
      assertTrue(exited, "the operator did not stop within 15 s of SIGTERM:\n" + operator.tail());
      System.out.printf(
          "operator stopped %d ms after SIGTERM%n", (System.nanoTime() - started) / 1_000_000);
      assertTrue(
          holder(ns) == null || holder(ns).isEmpty(),
          "the Lease is given up on the way out, for the next replica");
    } finally {
      deleteRegistration(ns);
    }
  }

  @Test
  void losingTheLeaseStopsReconcilingNotTheProcessNorTheWebhook() throws Exception {
    String ns = "keepalive-lease-it";
    TestNamespaces.ensure(client, ns);
    String policies =
        TestNamespaces.create(client, "lease", Map.of(PodMarks.INJECT_LABEL, "false"));
    var webhook = OperatorProcess.webhookClient(Duration.ofSeconds(5));
    try (OperatorProcess operator =
        OperatorProcess.operator(
            ns,
            ns,
            Ports.free(),
            List.of(),
            Map.of(
                "KEEPALIVE_LEADER_ELECTION_LEASE_DURATION_SECONDS", "6",
                "KEEPALIVE_LEADER_ELECTION_RENEW_DEADLINE_SECONDS", "4",
                "KEEPALIVE_LEADER_ELECTION_RETRY_PERIOD_SECONDS", "1"))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> holder(ns) != null);
      String leader = holder(ns);
      client.resource(Policies.policy(policies, "led", Map.of("app", "a"), 120, 15, 4)).create();
      Policies.awaitStatus(
          client,
          policies,
          "led",
          Duration.ofSeconds(30),
          p -> assertEquals(1L, p.getStatus().getObservedGeneration()));

      // another holder takes the Lease and keeps renewing it
      AtomicBoolean stealing = new AtomicBoolean(true);
      Thread thief =
          new Thread(
              () -> {
                while (stealing.get()) {
                  try {
                    client
                        .leases()
                        .inNamespace(ns)
                        .withName(LeaderElection.LEASE_NAME)
                        .edit(
                            lease -> {
                              lease.getSpec().setHolderIdentity("thief");
                              lease.getSpec().setLeaseDurationSeconds(8);
                              lease.getSpec().setRenewTime(ZonedDateTime.now());
                              return lease;
                            });
                  } catch (KubernetesClientException e) {
                    // a conflict with the operator's own renewal: try again
                  }
                  try {
                    Thread.sleep(500);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      thief.start();
      try {
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> operator.logSays("lost the leader Lease") || !operator.process.isAlive());
        Thread.sleep(2_000);
        assertTrue(operator.process.isAlive(), "the operator exited:\n" + operator.tail());
        var answer = operator.review(webhook, REVIEW, Duration.ofSeconds(5));
        assertEquals(200, answer.statusCode(), answer.body());

        // not leading: a spec change waits
        client
            .resources(KeepalivePolicy.class)
            .inNamespace(policies)
            .withName("led")
            .edit(
                p -> {
                  p.getSpec().getTcp().setTimeSeconds(90);
                  return p;
                });
        Thread.sleep(3_000);
        assertEquals(
            1L,
            client
                .resources(KeepalivePolicy.class)
                .inNamespace(policies)
                .withName("led")
                .get()
                .getStatus()
                .getObservedGeneration(),
            "a replica that does not lead wrote a status");
      } finally {
        stealing.set(false);
        thief.join();
      }

      // the thief is gone: once its Lease runs out, the operator leads again and catches up
      await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> assertEquals(leader, holder(ns)));
      Policies.awaitStatus(
          client,
          policies,
          "led",
          Duration.ofSeconds(30),
          p -> assertEquals(2L, p.getStatus().getObservedGeneration()));
      assertTrue(operator.process.isAlive());
    } finally {
      deleteRegistration(ns);
    }
  }
}
