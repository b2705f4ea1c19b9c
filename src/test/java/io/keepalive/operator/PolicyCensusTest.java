package io.keepalive.operator;

import static io.keepalive.testing.Policies.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.policy.spec.SelectorRequirement;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.rules.SkipReason;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyCensusTest {
  static final String JAN = "2026-01-01T00:00:00Z";

  /** A census of a namespace whose Pod Security lets every pod take the policy. */
  private static PolicyCensus take(
      KeepalivePolicy policy, List<KeepalivePolicy> namespacePolicies, List<Pod> pods) {
    return PolicyCensus.take(policy, namespacePolicies, pods, Optional.empty());
  }

  private static KeepalivePolicy policy(
      String name, Map<String, String> selecting, String created, long generation) {
    return Policies.named(name).selecting(selecting).stored(created, generation).build();
  }

  @Test
  void podsBehindAreTheStaleAndTheNotInjectedNeverTheSkipped() {
    var policy = policy("web", WEB, JAN, 2);
    Pod current = Pods.named("current").labels(WEB).carrying("web", 2).phase("Running").build();
    Pod stale = Pods.named("stale").labels(WEB).carrying("web", 1).phase("Running").build();
    Pod before = Pods.named("before").labels(WEB).phase("Running").build();
    Pod windows = Pods.named("windows").labels(WEB).os("windows").phase("Running").build();
    var census = take(policy, List.of(policy), List.of(current, stale, before, windows));
    assertEquals(List.of(stale, before), census.behind());
  }

  @Test
  void anOlderPolicyWithAnInvalidSelectorChangesNothingForItsNeighbours() {
    // stored before the API server checked selectors: an expression without an operator
    var broken =
        Policies.named("broken").selecting(Map.of()).stored("2025-01-01T00:00:00Z", 1).build();
    broken.getSpec().getSelector().with(new SelectorRequirement("app", null, List.of("web")));
    var healthy = policy("web", WEB, JAN, 1);
    List<Pod> pods =
        List.of(
            Pods.named("web-1").labels(WEB).carrying("web", 1).phase("Running").build(),
            Pods.named("web-2").labels(WEB).phase("Running").build());

    var census = take(healthy, List.of(broken, healthy), pods);
    assertEquals(2, census.matched());
    assertEquals(1, census.injected());
    assertEquals(1, census.notInjected());
    assertEquals(Map.of(), census.lostTo(), "the broken policy selects nothing, so wins nothing");
    var brokenCensus = take(broken, List.of(broken, healthy), pods);
    assertEquals(0, brokenCensus.matched());
    var ready = PolicyStatusBuilder.ready(broken, brokenCensus);
    assertEquals("InvalidSelector", ready.getReason());
    assertTrue(ready.getMessage().contains(".operator: Unsupported value"), ready.getMessage());
  }

  @Test
  void podsTheWebhookSkipsAreSkippedNotAwaitingARestart() {
    var policy = policy("web", WEB, JAN, 1);
    Pod windows = Pods.named("windows").labels(WEB).os("windows").phase("Running").build();
    Pod taken =
        Pods.named("taken")
            .labels(WEB)
            .container(InjectedContainers.AGENT_CONTAINER)
            .phase("Running")
            .build();
    var census = take(policy, List.of(policy), List.of(windows, taken));
    assertEquals(Map.of(SkipReason.WindowsPod, 1, SkipReason.NameTaken, 1), census.skipped());
    assertEquals(0, census.notInjected());
  }

  @Test
  void aPodCarryingThePolicyCountsAsInjectedWhateverItCarries() {
    // the agent container of an injected pod is ours, not a taken name
    var policy = policy("web", WEB, JAN, 1);
    Pod injected =
        Pods.named("injected")
            .labels(WEB)
            .carrying("web", 1)
            .annotations(Map.of(PodMarks.HASH_ANNOTATION, "abc"))
            .container(InjectedContainers.AGENT_CONTAINER)
            .phase("Running")
            .build();
    var census = take(policy, List.of(policy), List.of(injected));
    assertEquals(1, census.injected());
    assertEquals(List.of(injected), census.carrying());
    assertTrue(census.skipped().isEmpty());
  }

  @Test
  void countsWhatHappenedToEachMatchedPod() {
    var policy = policy("web", WEB, JAN, 3);
    List<Pod> pods =
        List.of(
            Pods.named("current").labels(WEB).carrying("web", 3).phase("Running").build(),
            Pods.named("stale").labels(WEB).carrying("web", 2).phase("Running").build(),
            Pods.named("before-policy").labels(WEB).phase("Pending").build(),
            Pods.named("host").labels(WEB).hostNetwork().phase("Running").build(),
            Pods.named("opted-out")
                .labels(Map.of("app", "web", PodMarks.INJECT_LABEL, "false"))
                .phase("Running")
                .build(),
            Pods.named("finished").labels(WEB).phase("Succeeded").build(),
            Pods.named("unselected").labels(Map.of("app", "db")).phase("Running").build());

    var census = take(policy, List.of(policy), pods);

    assertEquals(5, census.matched());
    assertEquals(1, census.injected());
    assertEquals(1, census.stale());
    assertEquals(1, census.notInjected());
    assertEquals(Map.of(SkipReason.HostNetwork, 1, SkipReason.OptedOut, 1), census.skipped());
    assertEquals(3, census.applicable());
    assertEquals(
        List.of("current", "stale"),
        census.carrying().stream().map(p -> p.getMetadata().getName()).toList());
    assertEquals(0, census.lost());
  }

  @Test
  void aTerminatingPodIsNotCounted() {
    var policy = policy("web", WEB, JAN, 1);
    Pod leaving = Pods.named("leaving").labels(WEB).carrying("web", 1).phase("Running").build();
    leaving.getMetadata().setDeletionTimestamp("2026-03-01T00:00:00Z");
    assertEquals(0, take(policy, List.of(policy), List.of(leaving)).matched());
  }

  @Test
  void youngerPolicyLosesOverlappingPodsToTheOlder() {
    var older = policy("older", WEB, JAN, 1);
    var younger = policy("younger", Map.of(), "2026-02-01T00:00:00Z", 1);
    List<Pod> pods =
        List.of(
            Pods.named("w1").labels(WEB).phase("Running").build(),
            Pods.named("w2").labels(WEB).phase("Running").build(),
            Pods.named("other").labels(Map.of("app", "db")).phase("Running").build());

    var youngCensus = take(younger, List.of(older, younger), pods);
    assertEquals(3, youngCensus.matched());
    assertEquals(Map.of("older", 2), youngCensus.lostTo());
    assertEquals(1, youngCensus.applicable());

    var oldCensus = take(older, List.of(older, younger), pods);
    assertEquals(Map.of("younger", 2), oldCensus.wonFromYounger());
    assertTrue(oldCensus.lostTo().isEmpty());
  }

  @Test
  void aNamespaceThatRulesThePolicyOutSkipsUninjectedPodsWithItsReason() {
    var policy = policy("web", WEB, JAN, 1);
    var pods =
        List.of(
            Pods.named("old").labels(WEB).carrying("web", 1).phase("Running").build(),
            Pods.named("new").labels(WEB).phase("Running").build());
    var census =
        PolicyCensus.take(
            policy, List.of(policy), pods, Optional.of(SkipReason.PodSecurityForbidsPrivileged));
    assertEquals(
        1, census.injected(), "a pod injected before the namespace changed still runs the policy");
    assertEquals(0, census.notInjected());
    assertEquals(Map.of(SkipReason.PodSecurityForbidsPrivileged, 1), census.skipped());
  }

  @Test
  void aPolicyBeingDeletedWinsNothingAndTheSurvivorWinsItsPods() {
    var leaving = Policies.named("leaving").stored(JAN, 1).deleting("2026-03-01T00:00:00Z").build();
    var staying = policy("staying", WEB, "2026-02-01T00:00:00Z", 1);
    List<Pod> pods = List.of(Pods.named("w").labels(WEB).phase("Running").build());
    var census = take(staying, List.of(leaving, staying), pods);
    assertEquals(0, census.lost());
    assertEquals(1, census.applicable(), "the survivor governs the pod");
    assertTrue(census.wonFromYounger().isEmpty(), "a policy being deleted is nobody's rival");
    assertEquals(0, take(leaving, List.of(leaving, staying), pods).applicable());
    assertNull(census.lostTo().get("leaving"));
  }
}
