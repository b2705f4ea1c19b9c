package io.keepalive.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodOS;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.InjectionStrategy;
import io.keepalive.policy.spec.SelectorRequirement;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Each named reason, and the precedence rules, on the pure decision. */
class InjectionDecisionTest {
  static final ClusterFacts V134 = new ClusterFacts(new KubeVersion(1, 34));
  static final ClusterFacts V128 = new ClusterFacts(new KubeVersion(1, 28));
  // namespace labels; a namespace without an enforce label gets the cluster default, privileged
  // here
  static final Map<String, String> PRIVILEGED = Map.of();
  static final Map<String, String> RESTRICTED = Map.of(PodSecurity.ENFORCE_LABEL, "restricted");
  static final Map<String, String> BASELINE_128 =
      Map.of(PodSecurity.ENFORCE_LABEL, "baseline", PodSecurity.ENFORCE_VERSION_LABEL, "v1.28");

  private static KeepalivePolicy policy(
      String name, String namespace, InjectionStrategy strategy, String created) {
    return Policies.named(name).namespace(namespace).strategy(strategy).created(created).build();
  }

  private static Pod pod(Map<String, String> labels) {
    return Pods.named("web-1").labels(labels).build();
  }

  static final Map<String, String> WEB = Policies.WEB;
  static final KeepalivePolicy AUTO =
      policy("p", "ns", InjectionStrategy.Auto, "2026-01-01T00:00:00Z");

  static InjectionDecision decide(
      Pod pod,
      Map<String, String> namespaceLabels,
      ClusterFacts cluster,
      KeepalivePolicy... policies) {
    return InjectionDecision.decide(
        pod,
        "ns",
        () -> Optional.of(namespaceLabels),
        List.of(policies),
        PodSecurity.Level.privileged,
        cluster);
  }

  static SkipReason skip(InjectionDecision d) {
    return assertInstanceOf(InjectionDecision.Skip.class, d).reason();
  }

  @Test
  void theNamespaceHasItsSayAfterThePod() {
    assertEquals(
        SkipReason.OptedOut,
        skip(decide(pod(WEB), Map.of("keepalive.io/inject", "false"), V134, AUTO)));
    assertEquals(
        SkipReason.NamespaceUnknown,
        skip(
            InjectionDecision.decide(
                pod(WEB),
                "ns",
                Optional::empty,
                List.of(AUTO),
                PodSecurity.Level.privileged,
                V134)));
    // a pod-level reason is named first: hostNetwork wins over an opted-out namespace
    Pod host = pod(WEB);
    host.getSpec().setHostNetwork(true);
    assertEquals(
        SkipReason.HostNetwork,
        skip(decide(host, Map.of("keepalive.io/inject", "false"), V134, AUTO)));
    // the namespace may cost a GET: not asked when no policy selects the pod or the pod rules
    // itself out
    Supplier<Optional<Map<String, String>>> mustNotBeAsked =
        () -> fail("namespace labels read for a decision that does not need them");
    assertEquals(
        SkipReason.HostNetwork,
        skip(
            InjectionDecision.decide(
                host, "ns", mustNotBeAsked, List.of(AUTO), PodSecurity.Level.privileged, V134)));
    assertEquals(
        SkipReason.NoMatchingPolicy,
        skip(
            InjectionDecision.decide(
                pod(Map.of("app", "db")),
                "ns",
                mustNotBeAsked,
                List.of(AUTO),
                PodSecurity.Level.privileged,
                V134)));
    // the status asks the same question without a pod
    assertEquals(
        SkipReason.PodSecurityForbidsPrivileged,
        InjectionDecision.namespaceRulesOut(
                "ns",
                Optional.of(RESTRICTED),
                policy("p", "ns", InjectionStrategy.InitContainer, "2026-01-01T00:00:00Z"),
                PodSecurity.Level.privileged,
                V134)
            .orElseThrow()
            .reason());
    assertTrue(
        InjectionDecision.namespaceRulesOut(
                "ns", Optional.of(RESTRICTED), AUTO, PodSecurity.Level.privileged, V134)
            .isEmpty());
  }

  @Test
  void autoPrefersSecurityContextWhereAllowed() {
    var inject =
        assertInstanceOf(InjectionDecision.Inject.class, decide(pod(WEB), RESTRICTED, V134, AUTO));
    assertEquals(InjectionStrategy.SecurityContext, inject.strategy());
  }

  @Test
  void autoFallsBackToInitContainerOnOldClusterInPrivilegedNamespace() {
    var inject =
        assertInstanceOf(InjectionDecision.Inject.class, decide(pod(WEB), PRIVILEGED, V128, AUTO));
    assertEquals(InjectionStrategy.InitContainer, inject.strategy());
  }

  @Test
  void autoInPinnedBaselineNamespaceIsSkippedNamingTheSysctls() {
    assertEquals(
        SkipReason.PodSecurityForbidsSysctls, skip(decide(pod(WEB), BASELINE_128, V134, AUTO)));
  }

  @Test
  void autoOnOldClusterInRestrictedNamespaceIsSkippedNamingPrivilege() {
    assertEquals(
        SkipReason.PodSecurityForbidsPrivileged, skip(decide(pod(WEB), RESTRICTED, V128, AUTO)));
  }

  @Test
  void explicitStrategiesAreNeverSwapped() {
    assertEquals(
        SkipReason.PodSecurityForbidsPrivileged,
        skip(
            decide(
                pod(WEB),
                RESTRICTED,
                V134,
                policy("p", "ns", InjectionStrategy.InitContainer, null))));
    assertEquals(
        SkipReason.ClusterTooOld,
        skip(
            decide(
                pod(WEB),
                PRIVILEGED,
                V128,
                policy("p", "ns", InjectionStrategy.SecurityContext, null))));
    assertEquals(
        SkipReason.PodSecurityForbidsSysctls,
        skip(
            decide(
                pod(WEB),
                BASELINE_128,
                V134,
                policy("p", "ns", InjectionStrategy.SecurityContext, null))));
  }

  @Test
  void noPolicyOrPolicyOfAnotherNamespace() {
    assertEquals(
        SkipReason.NoMatchingPolicy,
        skip(decide(pod(Map.of("app", "db")), PRIVILEGED, V134, AUTO)));
    assertEquals(
        SkipReason.NoMatchingPolicy,
        skip(
            decide(
                pod(WEB),
                PRIVILEGED,
                V134,
                policy("stranger", "other", InjectionStrategy.Auto, null))));
  }

  @Test
  void optedOutAlreadyInjectedHostNetworkWindowsNameTaken() {
    assertEquals(
        SkipReason.OptedOut,
        skip(
            decide(
                pod(Map.of("app", "web", PodMarks.INJECT_LABEL, "false")),
                PRIVILEGED,
                V134,
                AUTO)));
    Pod injected = pod(WEB);
    injected.getMetadata().setAnnotations(Map.of(PodMarks.HASH_ANNOTATION, "x"));
    assertEquals(SkipReason.AlreadyInjected, skip(decide(injected, PRIVILEGED, V134, AUTO)));
    Pod host = pod(WEB);
    host.getSpec().setHostNetwork(true);
    assertEquals(SkipReason.HostNetwork, skip(decide(host, PRIVILEGED, V134, AUTO)));
    Pod windows = pod(WEB);
    windows.getSpec().setOs(new PodOS("windows"));
    assertEquals(SkipReason.WindowsPod, skip(decide(windows, PRIVILEGED, V134, AUTO)));
    Pod taken = pod(WEB);
    taken.getSpec().getContainers().get(0).setName(InjectedContainers.SYSCTLS_CONTAINER);
    assertEquals(SkipReason.NameTaken, skip(decide(taken, PRIVILEGED, V134, AUTO)));
  }

  @Test
  void hostNetworkSkipCarriesThePolicyForItsEvent() {
    Pod host = pod(WEB);
    host.getSpec().setHostNetwork(true);
    var skip = assertInstanceOf(InjectionDecision.Skip.class, decide(host, PRIVILEGED, V134, AUTO));
    assertEquals("p", skip.policy().orElseThrow().getMetadata().getName());
  }

  @Test
  void olderPolicyWinsAndTheYoungerIsOverruled() {
    var older = policy("zz-older", "ns", InjectionStrategy.Auto, "2026-01-01T00:00:00Z");
    var younger = policy("aa-younger", "ns", InjectionStrategy.Auto, "2026-02-01T00:00:00Z");
    var inject =
        assertInstanceOf(
            InjectionDecision.Inject.class, decide(pod(WEB), PRIVILEGED, V134, younger, older));
    assertEquals("zz-older", inject.policy().getMetadata().getName());
    assertEquals(
        List.of("aa-younger"),
        inject.overruled().stream().map(p -> p.getMetadata().getName()).toList());
  }

  @Test
  void winnerThatCannotApplyIsNotReplacedByAYoungerPolicy() {
    var older = policy("older", "ns", InjectionStrategy.InitContainer, "2026-01-01T00:00:00Z");
    var younger =
        policy("younger", "ns", InjectionStrategy.SecurityContext, "2026-02-01T00:00:00Z");
    var skip =
        assertInstanceOf(
            InjectionDecision.Skip.class, decide(pod(WEB), RESTRICTED, V134, younger, older));
    assertEquals(SkipReason.PodSecurityForbidsPrivileged, skip.reason());
    assertEquals("older", skip.policy().orElseThrow().getMetadata().getName());
  }

  @Test
  void deletedPoliciesDoNotCount() {
    var deleted = policy("p", "ns", InjectionStrategy.Auto, "2026-01-01T00:00:00Z");
    deleted.getMetadata().setDeletionTimestamp("2026-03-01T00:00:00Z");
    assertEquals(SkipReason.NoMatchingPolicy, skip(decide(pod(WEB), PRIVILEGED, V134, deleted)));
  }

  @Test
  void anOlderPolicyWithAnInvalidSelectorNeitherBreaksNorWinsTheAdmission() {
    // stored before the API server checked selectors: an expression without an operator, and an
    // In without values
    var broken = policy("broken", "ns", InjectionStrategy.Auto, "2025-01-01T00:00:00Z");
    broken.getSpec().getSelector().with(new SelectorRequirement("app", null, List.of("web")));
    var alsoBroken = policy("also-broken", "ns", InjectionStrategy.Auto, "2025-01-02T00:00:00Z");
    alsoBroken
        .getSpec()
        .getSelector()
        .with(new SelectorRequirement("app", SelectorRequirement.Operator.In, null));
    var inject =
        assertInstanceOf(
            InjectionDecision.Inject.class,
            decide(pod(WEB), PRIVILEGED, V134, broken, alsoBroken, AUTO));
    assertEquals("p", inject.policy().getMetadata().getName());
    assertEquals(List.of(), inject.overruled());
  }
}
