package io.keepalive.apiserver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.keepalive.namespaces.NamespaceRules;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.SkipReason;
import io.keepalive.testing.ControlPlane;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestNamespaces;
import io.keepalive.testing.TestSettings;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With the webhook opt-in, the API server never sends pods of namespaces without
 * keepalive.io/inject=true, and the policy status says so (OptedOut) instead of counting them as
 * awaiting a restart; opt-out (the default) is unchanged. Namespaces read from the real API server.
 */
class NamespaceOptInApiserverTest {
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    client = ControlPlane.client();
  }

  @AfterAll
  static void close() {
    client.close();
  }

  static Optional<SkipReason> rulesOut(boolean optIn, Map<String, String> labels) {
    String namespace = TestNamespaces.create(client, "opt-in", labels);
    KeepalivePolicy policy = Policies.named("p").namespace(namespace).build();
    NamespaceRules rules =
        new NamespaceRules(
            client, TestSettings.with(Map.of("keepalive.webhook.opt-in", Boolean.toString(optIn))));
    return rules.rulesOut(namespace, policy);
  }

  @Test
  void optInRulesOutNamespacesThatDidNotAsk() {
    assertEquals(Optional.of(SkipReason.OptedOut), rulesOut(true, Map.of()));
    assertEquals(
        Optional.of(SkipReason.OptedOut), rulesOut(true, Map.of(PodMarks.INJECT_LABEL, "false")));
    assertEquals(Optional.empty(), rulesOut(true, Map.of(PodMarks.INJECT_LABEL, "true")));
  }

  @Test
  void optOutIsTheDefault() {
    assertEquals(Optional.empty(), rulesOut(false, Map.of()));
    assertEquals(
        Optional.of(SkipReason.OptedOut), rulesOut(false, Map.of(PodMarks.INJECT_LABEL, "false")));
  }
}
