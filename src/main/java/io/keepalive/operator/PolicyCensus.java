package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Pod;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.PodMarks;
import io.keepalive.rules.InjectionDecision;
import io.keepalive.rules.PodSelection;
import io.keepalive.rules.PolicyPrecedence;
import io.keepalive.rules.SkipReason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Counts, for one policy, what happened to the pods it selects: which it applies to, which an older
 * policy wins, which run its current generation, which were created before it and need a restart,
 * and which are skipped for a named reason. Pure: the same inputs give the same census.
 *
 * @param matched live pods the selector matches
 * @param injected matched pods running this policy's current generation
 * @param stale matched pods injected from an older generation of this policy
 * @param notInjected matched pods this policy wins that carry nothing (created before it, or the
 *     webhook was down)
 * @param skipped matched pods this policy wins but the webhook leaves alone, by the webhook's
 *     reason
 * @param lostTo matched pods an older policy wins, by that policy's name
 * @param wonFromYounger pods this policy wins that younger policies also select, by their names
 * @param carrying the injected and stale pods: the ones that carry this policy (and maybe its
 *     agent)
 * @param behind the stale and not injected pods: the ones a restart would bring in line
 */
public record PolicyCensus(
    int matched,
    int injected,
    int stale,
    int notInjected,
    Map<SkipReason, Integer> skipped,
    Map<String, Integer> lostTo,
    Map<String, Integer> wonFromYounger,
    List<Pod> carrying,
    List<Pod> behind) {

  public int lost() {
    return lostTo.values().stream().mapToInt(Integer::intValue).sum();
  }

  /** Pods this policy should be in force on. */
  public int applicable() {
    return injected + stale + notInjected;
  }

  /**
   * @param namespaceSkip why the webhook skips every new pod of the namespace for this policy (the
   *     namespace opted out, or its Pod Security rules the strategy out); pods that carry nothing
   *     are then counted as skipped for that reason rather than as waiting for a restart
   */
  public static PolicyCensus take(
      KeepalivePolicy policy,
      Collection<KeepalivePolicy> namespacePolicies,
      Collection<Pod> namespacePods,
      Optional<SkipReason> namespaceSkip) {
    String name = policy.getMetadata().getName();
    String generation = String.valueOf(PolicyStatusBuilder.generation(policy));
    int matched = 0, injected = 0, stale = 0, notInjected = 0;
    Map<SkipReason, Integer> skipped = new TreeMap<>();
    Map<String, Integer> lostTo = new TreeMap<>();
    Map<String, Integer> wonFromYounger = new TreeMap<>();
    List<Pod> carrying = new ArrayList<>();
    List<Pod> behind = new ArrayList<>();

    for (Pod pod : namespacePods) {
      Map<String, String> labels = pod.getMetadata().getLabels();
      if (!isLive(pod) || !PodSelection.selects(policy.getSpec().getSelector(), labels)) {
        continue;
      }
      matched++;
      // the webhook's own rule, so the status names the policy the webhook applies
      List<KeepalivePolicy> selecting = PolicyPrecedence.selecting(namespacePolicies, labels);
      String winner = selecting.isEmpty() ? name : selecting.get(0).getMetadata().getName();
      if (!winner.equals(name)) {
        lostTo.merge(winner, 1, Integer::sum);
        continue;
      }
      selecting.stream()
          .map(p -> p.getMetadata().getName())
          .filter(n -> !n.equals(name))
          .forEach(n -> wonFromYounger.merge(n, 1, Integer::sum));

      Map<String, String> annotations = pod.getMetadata().getAnnotations();
      if (annotations != null && name.equals(annotations.get(PodMarks.POLICY_ANNOTATION))) {
        carrying.add(pod);
        if (generation.equals(annotations.get(PodMarks.GENERATION_ANNOTATION))) {
          injected++;
        } else {
          stale++;
          behind.add(pod);
        }
        continue;
      }
      // carries nothing: skipped for the webhook's reason, or waiting for a restart
      Optional<SkipReason> skip =
          InjectionDecision.podRulesOut(pod, policy)
              .map(InjectionDecision.Skip::reason)
              .or(() -> namespaceSkip);
      if (skip.isPresent()) {
        skipped.merge(skip.get(), 1, Integer::sum);
      } else {
        notInjected++;
        behind.add(pod);
      }
    }
    return new PolicyCensus(
        matched, injected, stale, notInjected, skipped, lostTo, wonFromYounger, carrying, behind);
  }

  /** Finished or terminating pods no longer run connections worth counting. */
  static boolean isLive(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      return false;
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return !"Succeeded".equals(phase) && !"Failed".equals(phase);
  }
}
