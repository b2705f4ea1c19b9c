package io.keepalive.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.ControlPlaneResource;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The status does not wait for the webhook: with the webhook turned off, a pod whose namespace's
 * Pod Security rules the policy out still counts as skipped for that reason, not as awaiting a
 * restart (the status used to ask the webhook, which answers nothing until it has started).
 */
@QuarkusTest
@TestProfile(StatusWithoutWebhookApiserverTest.WebhookOff.class)
@WithTestResource(ControlPlaneResource.class)
class StatusWithoutWebhookApiserverTest {
  static KubernetesClient client;

  public static class WebhookOff implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("keepalive.webhook.enabled", "false");
    }
  }

  @BeforeAll
  static void connect() {
    client = ControlPlane.client();
  }

  @AfterAll
  static void close() {
    client.close();
  }

  @Test
  void podsTheNamespaceRulesOutAreSkippedWithTheWebhookOff() {
    String ns =
        TestNamespaces.create(
            client, "no-webhook", Map.of("pod-security.kubernetes.io/enforce", "restricted"));
    client
        .resource(
            Policies.named("needs-privilege")
                .namespace(ns)
                .strategy(InjectionStrategy.InitContainer)
                .build())
        .create();
    client.resource(Pods.restricted(ns, "web-1", Policies.WEB)).create();
    Policies.awaitStatus(
        client,
        ns,
        "needs-privilege",
        Duration.ofSeconds(30),
        p -> {
          Condition ready = p.getStatus().condition(ConditionTypes.READY);
          assertEquals("AllPodsSkipped", ready.getReason(), ready.getMessage());
          assertTrue(
              ready.getMessage().contains("1 pod PodSecurityForbidsPrivileged"),
              ready.getMessage());
        });
  }
}
