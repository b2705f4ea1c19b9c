package io.keepalive.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.ClusterFacts;
import io.keepalive.rules.KubeVersion;
import io.keepalive.rules.PodSecurity;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import io.keepalive.testing.TestSettings;
import io.keepalive.webhook.WebhookRegistration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** check-inject's answers, with the registration the operator really builds. */
class InjectionCheckTest {
  static final ClusterFacts V1_34 = new ClusterFacts(KubeVersion.of("1", "34", "v1.34.4").get());
  static final KeepalivePolicy POLICY =
      Policies.named("egress").stored("2026-01-01T00:00:00Z", 3).build();

  static MutatingWebhook registration(Map<String, String> settings) {
    return WebhookRegistration.desired(TestSettings.with(settings), null).getWebhooks().get(0);
  }

  static InjectionCheck check(
      Pod pod, Map<String, String> namespaceLabels, MutatingWebhook webhook, boolean existing) {
    return InjectionCheck.of(
        pod,
        "ns",
        Optional.of(namespaceLabels),
        List.of(POLICY),
        Optional.ofNullable(webhook),
        PodSecurity.Level.privileged,
        V1_34,
        existing);
  }

  @Test
  void aNewPodThatIsSelectedAndCalledForIsInjected() {
    InjectionCheck check =
        check(
            Pods.named("web").labels(Policies.WEB).build(),
            Map.of(),
            registration(Map.of()),
            false);
    assertTrue(check.injected(), check.lines().toString());
    assertTrue(check.lines().get(0).startsWith("webhook:  called"), check.lines().toString());
    assertEquals(
        "decision: inject policy egress (generation 3, strategy SecurityContext)",
        check.lines().get(1));
  }

  @Test
  void anExistingPodCreatedBeforeThePolicyNeedsARestart() {
    InjectionCheck check =
        check(
            Pods.named("web").labels(Policies.WEB).build(), Map.of(), registration(Map.of()), true);
    assertFalse(check.injected());
    assertTrue(check.lines().get(2).contains("recreate it"), check.lines().toString());
  }

  @Test
  void aPodOfAnOlderGenerationIsToldSo() {
    Pod pod =
        Pods.named("web")
            .labels(Policies.WEB)
            .carrying("egress", 2)
            .annotations(
                Map.of(
                    PodMarks.HASH_ANNOTATION,
                    "abc",
                    PodMarks.STRATEGY_ANNOTATION,
                    "SecurityContext"))
            .build();
    InjectionCheck check = check(pod, Map.of(), registration(Map.of()), true);
    assertFalse(check.injected());
    assertTrue(
        String.join("\n", check.lines())
            .contains(
                "injected with policy egress generation 2 (strategy SecurityContext)\n"
                    + "          the policy is at generation 3: recreate the pod"),
        check.lines().toString());
  }

  @Test
  void theSelectorThatLeavesThePodOutIsNamed() {
    InjectionCheck optedOut =
        check(
            Pods.named("web").labels(Policies.WEB).build(),
            Map.of(PodMarks.INJECT_LABEL, "false"),
            registration(Map.of()),
            false);
    assertFalse(optedOut.injected());
    assertEquals(
        "webhook:  not called: the registration's namespaceSelector leaves namespace ns out "
            + "(keepalive.io/inject NotIn [false], and it is \"false\")",
        optedOut.lines().get(0));

    InjectionCheck optIn =
        check(
            Pods.named("web").labels(Policies.WEB).build(),
            Map.of(),
            registration(Map.of("keepalive.webhook.opt-in", "true")),
            false);
    assertTrue(
        optIn.lines().get(0).endsWith("(keepalive.io/inject In [true], and it is not set)"),
        optIn.lines().get(0));

    InjectionCheck ownNamespace =
        InjectionCheck.of(
            Pods.named("web").labels(Policies.WEB).build(),
            "keepalive-system",
            Optional.of(Map.of()),
            List.of(),
            Optional.of(registration(Map.of())),
            PodSecurity.Level.privileged,
            V1_34,
            false);
    assertTrue(
        ownNamespace
            .lines()
            .get(0)
            .contains("kubernetes.io/metadata.name NotIn [kube-system, keepalive-system]"),
        ownNamespace.lines().get(0));
  }

  @Test
  void theWebhooksReasonToSkipIsGiven() {
    InjectionCheck check =
        check(
            Pods.named("web").labels(Policies.WEB).hostNetwork().build(),
            Map.of(),
            registration(Map.of()),
            false);
    assertFalse(check.injected());
    assertTrue(
        check.lines().get(1).startsWith("decision: skip, HostNetwork: "), check.lines().toString());
  }

  @Test
  void withoutARegistrationNothingIsInjected() {
    InjectionCheck check =
        check(Pods.named("web").labels(Policies.WEB).build(), Map.of(), null, false);
    assertFalse(check.injected());
    assertTrue(
        check.lines().get(0).startsWith("webhook:  not registered"), check.lines().toString());
  }
}
