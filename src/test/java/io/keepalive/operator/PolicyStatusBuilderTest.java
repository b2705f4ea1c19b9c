package io.keepalive.operator;

import static io.keepalive.testing.Policies.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.rules.SkipReason;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PolicyStatusBuilderTest {
  static final Instant T1 = Instant.parse("2026-05-01T10:00:00Z");
  static final Instant T2 = Instant.parse("2026-05-01T11:00:00Z");

  private static KeepalivePolicy policy(
      String name, Map<String, String> selecting, String created, long generation) {
    return Policies.named(name).selecting(selecting).stored(created, generation).build();
  }

  private static Pod pod(
      String name, Map<String, String> labels, boolean hostNetwork, String phase) {
    Pods.Builder pod = Pods.named(name).labels(labels).phase(phase);
    return (hostNetwork ? pod.hostNetwork() : pod).build();
  }

  /** A census of a namespace whose Pod Security lets every pod take the policy. */
  private static PolicyCensus take(
      KeepalivePolicy policy, List<KeepalivePolicy> namespacePolicies, List<Pod> pods) {
    return PolicyCensus.take(policy, namespacePolicies, pods, Optional.empty());
  }

  @Test
  void readyWhenEveryApplicablePodRunsTheCurrentGeneration() {
    var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 2);
    var pods = List.of(injected("a", 2), injected("b", 2));
    var status =
        PolicyStatusBuilder.build(policy, take(policy, List.of(policy), pods), null, null, T1);

    var ready = status.condition(ConditionTypes.READY);
    assertEquals("True", ready.getStatus());
    assertEquals("Applied", ready.getReason());
    assertTrue(
        ready.getMessage().contains("a dead peer is noticed after 180 s"), ready.getMessage());
    assertEquals(2L, status.getObservedGeneration());
    assertEquals(2, status.getInjectedPods());
    assertEquals("False", status.condition(ConditionTypes.CONFLICT).getStatus());
  }

  @Test
  void podsCreatedBeforeThePolicyNeedARestart() {
    var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 3);
    var pods = List.of(injected("a", 3), injected("b", 2), pod("c", WEB, false, "Running"));
    var ready =
        PolicyStatusBuilder.build(policy, take(policy, List.of(policy), pods), null, null, T1)
            .condition(ConditionTypes.READY);
    assertEquals("False", ready.getStatus());
    assertEquals("PodsAwaitingRestart", ready.getReason());
    assertEquals(
        "2 of 3 pods run without generation 3: 1 without it (created before it, or while the webhook "
            + "was unreachable), 1 with an older generation of it. Restart them (kubectl rollout restart) to apply it.",
        ready.getMessage());
  }

  @Test
  void noMatchingPodsIsNotAFailure() {
    var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 1);
    var ready =
        PolicyStatusBuilder.build(policy, take(policy, List.of(policy), List.of()), null, null, T1)
            .condition(ConditionTypes.READY);
    assertEquals("True", ready.getStatus());
    assertEquals("NoMatchingPods", ready.getReason());
  }

  @Test
  void everythingLostToAnOlderPolicy() {
    var older = policy("older", WEB, "2026-01-01T00:00:00Z", 1);
    var younger = policy("younger", WEB, "2026-02-01T00:00:00Z", 1);
    var status =
        PolicyStatusBuilder.build(
            younger,
            take(younger, List.of(older, younger), List.of(pod("w", WEB, false, "Running"))),
            null,
            null,
            T1);
    assertEquals("OverriddenByOlderPolicy", status.condition(ConditionTypes.READY).getReason());
    var conflict = status.condition(ConditionTypes.CONFLICT);
    assertEquals("True", conflict.getStatus());
    assertEquals(
        "1 of 1 pod matched are also selected by older policy 'older' (1 pod), which applies to them. "
            + "Narrow this selector or merge the policies.",
        conflict.getMessage());
  }

  @Test
  void allPodsSkippedNamesTheReasons() {
    var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 1);
    var ready =
        PolicyStatusBuilder.build(
                policy,
                take(policy, List.of(policy), List.of(pod("h", WEB, true, "Running"))),
                null,
                null,
                T1)
            .condition(ConditionTypes.READY);
    assertEquals("AllPodsSkipped", ready.getReason());
    assertTrue(
        ready.getMessage().contains("1 pod HostNetwork (net sysctls would change the node's)"),
        ready.getMessage());
  }

  @Test
  void transitionTimeStaysWhileStatusStaysSoAnUnchangedWorldGivesAnEqualStatus() {
    var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 1);
    var pods = List.<Pod>of(injected("a", 1));
    var first =
        PolicyStatusBuilder.build(policy, take(policy, List.of(policy), pods), null, null, T1);
    policy.setStatus(first);
    var second =
        PolicyStatusBuilder.build(policy, take(policy, List.of(policy), pods), null, null, T2);
    assertFalse(StatusChange.changes(first, second), "an unchanged world writes nothing");
    assertEquals(
        "2026-05-01T10:00:00Z", second.condition(ConditionTypes.READY).getLastTransitionTime());

    // a real change moves the transition time and makes the status differ
    policy.setStatus(second);
    var third =
        PolicyStatusBuilder.build(
            policy,
            take(
                policy,
                List.of(policy),
                List.of(injected("a", 1), pod("new", WEB, false, "Pending"))),
            null,
            null,
            T2);
    assertTrue(StatusChange.changes(second, third));
    assertEquals(
        "2026-05-01T11:00:00Z", third.condition(ConditionTypes.READY).getLastTransitionTime());
    assertEquals(
        "2026-05-01T10:00:00Z", third.condition(ConditionTypes.CONFLICT).getLastTransitionTime());
  }

  private static Pod injected(String name, long generation) {
    return Pods.named(name).labels(WEB).carrying("web", generation).phase("Running").build();
  }

  @Test
  void aNamespaceThatRulesThePolicyOutIsNamedWithWhatToChange() {
    var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 1);
    var pods = List.of(injected("old", 1), pod("new", WEB, false, "Running"));
    var census =
        PolicyCensus.take(
            policy, List.of(policy), pods, Optional.of(SkipReason.PodSecurityForbidsPrivileged));
    var ready = PolicyStatusBuilder.ready(policy, census);
    assertEquals("False", ready.getStatus());
    assertEquals("PodsSkipped", ready.getReason());
    assertTrue(
        ready
            .getMessage()
            .startsWith(
                "1 of 2 pods cannot take this policy: 1 pod PodSecurityForbidsPrivileged "
                    + "(the namespace's Pod Security rejects"),
        ready.getMessage());
  }

  @Test
  void aMessageNamesAFewPoliciesNotAnyNumber() {
    Map<String, Integer> many = new TreeMap<>();
    for (int i = 0; i < 500; i++) {
      many.put(String.format("p%03d", i), 1);
    }
    assertEquals(
        "policies 'p000' (1 pod), 'p001' (1 pod), 'p002' (1 pod), 'p003' (1 pod), 'p004' (1 pod)"
            + " and 495 more",
        PolicyStatusBuilder.describePolicies(many));
  }
}
