package io.keepalive.operator;

import static io.keepalive.testing.Policies.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.InjectedContainers;
import io.keepalive.testing.Pods;
import io.keepalive.testing.Policies;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlimPodStoreTest {

  private static Pod running(
      Map<String, String> labels, Map<String, String> annotations, String phase, String ip) {
    Pod pod = Pods.named("a").labels(labels).annotations(annotations).phase(phase).build();
    pod.getStatus().setPodIP(ip);
    return pod;
  }

  private static final Map<String, String> OURS =
      Map.of(PodMarks.POLICY_ANNOTATION, "web", PodMarks.GENERATION_ANNOTATION, "1");

  @Test
  void slimPodsKeepWhatTheCensusReadsAndDropTheRest() {
    var full =
        running(
            WEB,
            Map.of(
                PodMarks.POLICY_ANNOTATION,
                "web",
                PodMarks.GENERATION_ANNOTATION,
                "1",
                "kubectl.kubernetes.io/last-applied-configuration",
                "{...big...}"),
            "Running",
            "10.0.0.1");
    var slim = SlimPodStore.slim(full);
    assertEquals(OURS, slim.getMetadata().getAnnotations());
    assertNull(slim.getSpec(), "no spec kept for a pod none of the webhook's pod rules concern");
    assertEquals("10.0.0.1", slim.getStatus().getPodIP());
    var policy = Policies.named("web").stored("2026-01-01T00:00:00Z", 1).build();
    var fromSlim = PolicyCensus.take(policy, List.of(policy), List.of(slim), Optional.empty());
    assertEquals(1, fromSlim.injected());
    assertEquals(List.of(slim), fromSlim.carrying());
  }

  @Test
  void slimPodsKeepTheirControllerOnly() {
    Pod pod = running(WEB, OURS, "Running", "10.0.0.1");
    pod.getMetadata()
        .setOwnerReferences(
            List.of(
                new OwnerReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("ConfigMap")
                    .withName("not-the-controller")
                    .withUid("u1")
                    .build(),
                new OwnerReferenceBuilder()
                    .withApiVersion("apps/v1")
                    .withKind("ReplicaSet")
                    .withName("web-6d4")
                    .withUid("u2")
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build()));
    var owners = SlimPodStore.slim(pod).getMetadata().getOwnerReferences();
    assertEquals(1, owners.size());
    assertEquals("ReplicaSet", owners.get(0).getKind());
    assertEquals("web-6d4", owners.get(0).getName());
    assertTrue(
        SlimPodStore.slim(running(WEB, OURS, "Running", "10.0.0.2"))
            .getMetadata()
            .getOwnerReferences()
            .isEmpty(),
        "a bare pod has none");
  }

  @Test
  void anInjectedPodKeepsItsAgentsPortWhereTheOperatorAsksIt() {
    var full =
        Pods.named("a")
            .labels(WEB)
            .carrying("web", 1)
            .annotations(Map.of(PodMarks.HASH_ANNOTATION, "abc"))
            .agent(9901)
            .running("10.0.0.1")
            .build();
    var slim = SlimPodStore.slim(full);
    assertEquals(9901, AgentGatherer.agentPort(full));
    assertEquals(AgentGatherer.agentPort(full), AgentGatherer.agentPort(slim));
    assertEquals(1, slim.getSpec().getContainers().size(), "the agent's name and port, no more");
    assertNull(slim.getSpec().getContainers().get(0).getImage());
  }

  @Test
  void updatesThatCannotChangeAStatusAreFilteredOut() {
    Pod before = running(WEB, OURS, "Running", "10.0.0.1");
    // what kubelets and controllers write all the time: conditions, container statuses, foreign
    // annotations
    Pod probed = running(WEB, OURS, "Running", "10.0.0.1");
    probed
        .getStatus()
        .setConditions(
            List.of(new PodConditionBuilder().withType("Ready").withStatus("True").build()));
    probed
        .getMetadata()
        .setAnnotations(
            Map.of(
                PodMarks.POLICY_ANNOTATION,
                "web",
                PodMarks.GENERATION_ANNOTATION,
                "1",
                "checksum/config",
                "abc"));
    assertFalse(SlimPodStore.relevantChange(probed, before));
    // fabric8 hands the stored (slim) pod as the old one
    assertFalse(SlimPodStore.relevantChange(probed, SlimPodStore.slim(before)));
  }

  @Test
  void updatesThatCanChangeAStatusPass() {
    Pod before = running(WEB, OURS, "Pending", null);
    assertTrue(
        SlimPodStore.relevantChange(running(Map.of("app", "db"), OURS, "Pending", null), before),
        "relabel");
    assertTrue(
        SlimPodStore.relevantChange(
            running(
                WEB,
                Map.of(PodMarks.POLICY_ANNOTATION, "web", PodMarks.GENERATION_ANNOTATION, "2"),
                "Pending",
                null),
            before),
        "our annotation");
    assertTrue(
        SlimPodStore.relevantChange(running(WEB, Map.of(), "Pending", null), before),
        "our annotations gone");
    assertTrue(SlimPodStore.relevantChange(running(WEB, OURS, "Running", null), before), "phase");
    assertTrue(
        SlimPodStore.relevantChange(running(WEB, OURS, "Pending", "10.0.0.2"), before), "pod IP");
    Pod deleting = running(WEB, OURS, "Pending", null);
    deleting.getMetadata().setDeletionTimestamp("2026-05-01T10:00:00Z");
    assertTrue(SlimPodStore.relevantChange(deleting, before), "deletion");
  }

  @Test
  void anInjectedPodKeepsNoSpecAndAForeignOneKeepsWhatThePodRulesRead() {
    Pod injected =
        Pods.named("injected")
            .labels(WEB)
            .carrying("web", 1)
            .annotations(Map.of(PodMarks.HASH_ANNOTATION, "abc"))
            .container(InjectedContainers.AGENT_CONTAINER)
            .build();
    assertNull(
        SlimPodStore.slim(injected).getSpec(), "an injected pod carries our containers by design");
    Pod taken =
        Pods.named("taken")
            .labels(WEB)
            .container(InjectedContainers.AGENT_CONTAINER)
            .hostNetwork()
            .build();
    var spec = SlimPodStore.slim(taken).getSpec();
    assertEquals(
        List.of(InjectedContainers.AGENT_CONTAINER),
        spec.getContainers().stream().map(c -> c.getName()).toList());
    assertTrue(spec.getHostNetwork());
    assertNull(spec.getContainers().get(0).getImage(), "only the name is kept");
  }
}
