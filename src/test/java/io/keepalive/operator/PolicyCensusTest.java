package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodOS;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.testing.Policies;
import io.keepalive.webhook.InjectedContainers;
import io.keepalive.webhook.SkipReason;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyCensusTest {
    static final Map<String, String> WEB = Map.of("app", "web");

    /** A census of a namespace whose Pod Security lets every pod take the policy. */
    static PolicyCensus take(KeepalivePolicy policy, List<KeepalivePolicy> namespacePolicies, List<Pod> pods) {
        return PolicyCensus.take(policy, namespacePolicies, pods, Optional.empty());
    }

    @Test
    void olderPolicyWinsAndNameBreaksTies() {
        var old = policy("zeta", WEB, "2026-01-01T00:00:00Z", 1);
        var young = policy("alpha", Map.of(), "2026-01-02T00:00:00Z", 1);
        var twin = policy("beta", WEB, "2026-01-01T00:00:00Z", 1);
        var other = policy("aaa-db", Map.of("app", "db"), "2025-01-01T00:00:00Z", 1);
        assertEquals(List.of("zeta", "alpha"), names(PolicyPrecedence.selecting(List.of(young, old, other), WEB)));
        assertEquals(List.of("beta", "zeta"), names(PolicyPrecedence.selecting(List.of(old, twin), WEB)));
    }

    @Test
    void podsTheWebhookSkipsAreSkippedNotAwaitingARestart() {
        var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 1);
        Pod windows = pod("windows", WEB, Map.of(), false, "Running");
        windows.getSpec().setOs(new PodOS("windows"));
        Pod taken = pod("taken", WEB, Map.of(), false, "Running");
        taken.getSpec().setContainers(List.of(new ContainerBuilder().withName(InjectedContainers.AGENT_CONTAINER).build()));
        // and the same through the operator's slim pod store, which must keep what these rules read
        for (List<Pod> pods : List.of(List.of(windows, taken), List.of(SlimPodStore.slim(windows), SlimPodStore.slim(taken)))) {
            var census = take(policy, List.of(policy), pods);
            assertEquals(Map.of(SkipReason.WindowsPod, 1, SkipReason.NameTaken, 1), census.skipped());
            assertEquals(0, census.notInjected());
        }
    }

    @Test
    void aPodCarryingThePolicyCountsAsInjectedWhateverItCarries() {
        // the agent container of an injected pod is ours, not a taken name
        var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 1);
        Pod injected = pod("injected", WEB, Map.of(PodMarks.POLICY_ANNOTATION, "web", PodMarks.GENERATION_ANNOTATION, "1",
                PodMarks.HASH_ANNOTATION, "abc"), false, "Running");
        injected.getSpec().setContainers(List.of(new ContainerBuilder().withName(InjectedContainers.AGENT_CONTAINER).build()));
        var census = take(policy, List.of(policy), List.of(injected));
        assertEquals(1, census.injected());
        assertEquals(List.of(injected), census.carrying());
        assertEquals(null, SlimPodStore.slim(injected).getSpec(), "nothing of an injected pod's spec is kept");
    }

    static List<String> names(List<KeepalivePolicy> policies) {
        return policies.stream().map(p -> p.getMetadata().getName()).toList();
    }

    @Test
    void countsWhatHappenedToEachMatchedPod() {
        var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 3);
        List<Pod> pods = List.of(
                pod("current", WEB, Map.of(PodMarks.POLICY_ANNOTATION, "web", PodMarks.GENERATION_ANNOTATION, "3"), false, "Running"),
                pod("stale", WEB, Map.of(PodMarks.POLICY_ANNOTATION, "web", PodMarks.GENERATION_ANNOTATION, "2"), false, "Running"),
                pod("before-policy", WEB, Map.of(), false, "Pending"),
                pod("host", WEB, Map.of(), true, "Running"),
                pod("opted-out", Map.of("app", "web", PodMarks.INJECT_LABEL, "false"), Map.of(), false, "Running"),
                pod("finished", WEB, Map.of(), false, "Succeeded"),
                pod("unselected", Map.of("app", "db"), Map.of(), false, "Running"));

        var census = take(policy, List.of(policy), pods);

        assertEquals(5, census.matched());
        assertEquals(1, census.injected());
        assertEquals(1, census.stale());
        assertEquals(1, census.notInjected());
        assertEquals(Map.of(SkipReason.HostNetwork, 1, SkipReason.OptedOut, 1), census.skipped());
        assertEquals(3, census.applicable());
        assertEquals(List.of("current", "stale"), census.carrying().stream().map(p -> p.getMetadata().getName()).toList());
        assertEquals(0, census.lost());
    }

    @Test
    void youngerPolicyLosesOverlappingPodsToTheOlder() {
        var older = policy("older", WEB, "2026-01-01T00:00:00Z", 1);
        var younger = policy("younger", Map.of(), "2026-02-01T00:00:00Z", 1);
        List<Pod> pods = List.of(pod("w1", WEB, Map.of(), false, "Running"), pod("w2", WEB, Map.of(), false, "Running"),
                pod("other", Map.of("app", "db"), Map.of(), false, "Running"));

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
        var policy = policy("web", WEB, "2026-01-01T00:00:00Z", 1);
        var pods = List.of(pod("old", WEB, Map.of(PodMarks.POLICY_ANNOTATION, "web", PodMarks.GENERATION_ANNOTATION, "1"), false, "Running"),
                pod("new", WEB, Map.of(), false, "Running"));
        var census = PolicyCensus.take(policy, List.of(policy), pods, java.util.Optional.of(SkipReason.PodSecurityForbidsPrivileged));
        assertEquals(1, census.injected(), "a pod injected before the namespace changed still runs the policy");
        assertEquals(0, census.notInjected());
        assertEquals(Map.of(SkipReason.PodSecurityForbidsPrivileged, 1), census.skipped());
        var ready = PolicyStatusBuilder.ready(policy, census);
        assertEquals("False", ready.getStatus());
        assertEquals("PodsSkipped", ready.getReason());
        assertTrue(ready.getMessage().startsWith("1 of 2 pods cannot take this policy: 1 pod PodSecurityForbidsPrivileged "
                + "(the namespace's Pod Security rejects"), ready.getMessage());
    }

    @Test
    void aPolicyBeingDeletedWinsNothing() {
        var leaving = policy("leaving", WEB, "2026-01-01T00:00:00Z", 1);
        leaving.getMetadata().setDeletionTimestamp("2026-03-01T00:00:00Z");
        var staying = policy("staying", WEB, "2026-02-01T00:00:00Z", 1);
        var census = take(staying, List.of(leaving, staying), List.of(pod("w", WEB, Map.of(), false, "Running")));
        assertEquals(0, census.lost());
    }

    static KeepalivePolicy policy(String name, Map<String, String> labels, String created, long generation) {
        var policy = Policies.policy("ns", name, labels, 120, 15, 4);
        policy.getMetadata().setCreationTimestamp(created);
        policy.getMetadata().setGeneration(generation);
        return policy;
    }

    static Pod pod(String name, Map<String, String> labels, Map<String, String> annotations, boolean hostNetwork, String phase) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withLabels(labels)
                .withAnnotations(annotations).endMetadata()
                .withNewSpec().withHostNetwork(hostNetwork).endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }
}
