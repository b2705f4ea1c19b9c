package io.keepalive.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.keepalive.policy.ConditionTypes;
import io.keepalive.policy.KeepalivePolicy;
import io.keepalive.policy.KeepalivePolicyStatus;
import io.keepalive.policy.spec.RolloutMode;
import io.keepalive.policy.spec.TcpKeepalive;
import io.keepalive.policy.status.ObservedHealth;
import io.keepalive.rules.PodSelection;
import io.keepalive.rules.SkipReason;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns a census (and what the agents observed) into the policy's status. Conditions keep their
 * lastTransitionTime while their status stays the same, so an unchanged world gives an equal status
 * and the reconciler writes nothing.
 */
public final class PolicyStatusBuilder {
  public static final String REASON_APPLIED = "Applied";
  public static final String REASON_NO_MATCHING_PODS = "NoMatchingPods";
  public static final String REASON_PODS_AWAITING_RESTART = "PodsAwaitingRestart";
  public static final String REASON_OVERRIDDEN = "OverriddenByOlderPolicy";
  public static final String REASON_ALL_PODS_SKIPPED = "AllPodsSkipped";
  public static final String REASON_PODS_SKIPPED = "PodsSkipped";
  public static final String REASON_OVERLAPS_OLDER = "OverlapsOlderPolicy";
  public static final String REASON_NO_CONFLICT = "NoConflict";
  public static final String REASON_INVALID_SELECTOR = "InvalidSelector";

  private PolicyStatusBuilder() {}

  /**
   * @param agents what the agents observed, judged; null when the policy has no agent
   * @param rollout the rollout's plan; null unless spec.rollout is Automatic
   */
  public static KeepalivePolicyStatus build(
      KeepalivePolicy policy,
      PolicyCensus census,
      AgentVerdict agents,
      RolloutPlanner.Plan rollout,
      Instant now) {
    KeepalivePolicyStatus previous = policy.getStatus();
    long generation = generation(policy);
    KeepalivePolicyStatus status = new KeepalivePolicyStatus();
    status.setObservedGeneration(generation);
    status.setMatchedPods(census.matched());
    status.setInjectedPods(census.injected());

    List<Condition> conditions = new ArrayList<>();
    conditions.add(ready(policy, census));
    conditions.add(conflict(census));
    if (agents != null) {
      status.setObserved(agents.observed());
      conditions.addAll(agents.conditions());
      status.setRecommendations(
          agents.recommendations().isEmpty() ? null : agents.recommendations());
    }
    if (rollout != null) {
      status.setRollout(rollout.progress());
      conditions.add(rollout.condition());
    }
    String ts = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (Condition c : conditions) {
      c.setObservedGeneration(generation);
      Condition before = previous == null ? null : previous.condition(c.getType());
      c.setLastTransitionTime(
          before != null
                  && c.getStatus().equals(before.getStatus())
                  && before.getLastTransitionTime() != null
              ? before.getLastTransitionTime()
              : ts);
    }
    status.setConditions(conditions);
    return status;
  }

  static Condition ready(KeepalivePolicy policy, PolicyCensus census) {
    long generation = generation(policy);
    var invalid = PodSelection.problem(policy.getSpec().getSelector());
    if (invalid.isPresent()) {
      // stored before the API server checked selectors: it selects nothing, and says why
      return condition(
          ConditionTypes.READY,
          false,
          REASON_INVALID_SELECTOR,
          "The selector is invalid, so the policy selects no pod: " + invalid.get() + ".");
    }
    String skippedNote =
        census.skipped().isEmpty() ? "" : " Skipped: " + describeSkipped(census.skipped()) + ".";
    if (census.matched() == 0) {
      return condition(
          ConditionTypes.READY,
          true,
          REASON_NO_MATCHING_PODS,
          "The selector matches no running pod in namespace "
              + policy.getMetadata().getNamespace()
              + "; matching pods get this policy when they are created.");
    }
    if (census.applicable() == 0 && census.lost() > 0 && census.skipped().isEmpty()) {
      return condition(
          ConditionTypes.READY,
          false,
          REASON_OVERRIDDEN,
          "All "
              + pods(census.matched())
              + " matched are governed by older "
              + describePolicies(census.lostTo())
              + "; see the Conflict condition.");
    }
    if (census.applicable() == 0) {
      return condition(
          ConditionTypes.READY,
          false,
          REASON_ALL_PODS_SKIPPED,
          "No matched pod can take this policy." + skippedNote);
    }
    int behind = census.notInjected() + census.stale();
    if (behind > 0) {
      List<String> parts = new ArrayList<>();
      if (census.notInjected() > 0) {
        parts.add(
            census.notInjected()
                + " without it (created before it, or while the webhook was unreachable)");
      }
      if (census.stale() > 0) {
        parts.add(census.stale() + " with an older generation of it");
      }
      return condition(
          ConditionTypes.READY,
          false,
          REASON_PODS_AWAITING_RESTART,
          behind
              + " of "
              + pods(census.applicable())
              + " run without generation "
              + generation
              + ": "
              + String.join(", ", parts)
              + (policy.getSpec().getRollout() == RolloutMode.Automatic
                  ? ". The operator restarts their workloads (spec.rollout Automatic): see the "
                      + ConditionTypes.ROLLED_OUT
                      + " condition."
                  : ". Restart them (kubectl rollout restart) to apply it.")
              + skippedNote);
    }
    Map<SkipReason, Integer> fixable = new TreeMap<>(census.skipped());
    fixable
        .keySet()
        .removeIf(reason -> !reason.warning()); // skips the namespace or policy owner can fix
    if (!fixable.isEmpty()) {
      int count = fixable.values().stream().mapToInt(Integer::intValue).sum();
      return condition(
          ConditionTypes.READY,
          false,
          REASON_PODS_SKIPPED,
          count
              + " of "
              + pods(census.matched() - census.lost())
              + " cannot take this policy: "
              + describeSkipped(fixable)
              + ".");
    }
    TcpKeepalive tcp = policy.getSpec().getTcp();
    return condition(
        ConditionTypes.READY,
        true,
        REASON_APPLIED,
        "All "
            + pods(census.applicable())
            + " run generation "
            + generation
            + " (keepalive after "
            + tcp.time()
            + " s, then every "
            + tcp.interval()
            + " s, "
            + tcp.probeCount()
            + " probes: a dead peer is noticed after "
            + tcp.secondsToDetectDeadPeer()
            + " s)."
            + skippedNote);
  }

  static Condition conflict(PolicyCensus census) {
    if (census.lost() > 0) {
      return condition(
          ConditionTypes.CONFLICT,
          true,
          REASON_OVERLAPS_OLDER,
          census.lost()
              + " of "
              + pods(census.matched())
              + " matched are also selected by older "
              + describePolicies(census.lostTo())
              + ", which applies to them. "
              + "Narrow this selector or merge the policies.");
    }
    String message =
        census.wonFromYounger().isEmpty()
            ? "No other policy selects these pods."
            : "This policy applies to pods that younger "
                + describePolicies(census.wonFromYounger())
                + " also select.";
    return condition(ConditionTypes.CONFLICT, false, REASON_NO_CONFLICT, message);
  }

  static final int MAX_NAMED = 5;

  /**
   * The policies by name, the first few only: a namespace may hold any number of overlapping
   * policies, and a condition message stays one readable line.
   */
  static String describePolicies(Map<String, Integer> podsByPolicy) {
    String names =
        podsByPolicy.entrySet().stream()
            .limit(MAX_NAMED)
            .map(e -> "'" + e.getKey() + "' (" + pods(e.getValue()) + ")")
            .collect(Collectors.joining(", "));
    int more = podsByPolicy.size() - MAX_NAMED;
    return (podsByPolicy.size() == 1 ? "policy " : "policies ")
        + names
        + (more > 0 ? " and " + more + " more" : "");
  }

  static String describeSkipped(Map<SkipReason, Integer> skipped) {
    return skipped.entrySet().stream()
        .map(
            e ->
                pods(e.getValue())
                    + " "
                    + e.getKey()
                    + switch (e.getKey()) {
                      case HostNetwork -> " (net sysctls would change the node's)";
                      case OptedOut -> " (label keepalive.io/inject=false on the pod or namespace)";
                      case PodSecurityForbidsPrivileged ->
                          " (the namespace's Pod Security rejects the privileged init"
                              + " container; strategy SecurityContext needs no privilege on Kubernetes >= 1.29)";
                      case PodSecurityForbidsSysctls ->
                          " (the namespace pins Pod Security below v1.29, which rejects"
                              + " the keepalive sysctls; raise or remove pod-security.kubernetes.io/enforce-version)";
                      case ClusterTooOld ->
                          " (the keepalive sysctls are safe only from Kubernetes 1.29; use strategy"
                              + " InitContainer or Auto)";
                      case NamespaceUnknown -> " (the operator cannot read the namespace yet)";
                      default -> "";
                    })
        .collect(Collectors.joining(", "));
  }

  /** metadata.generation, 0 before the API server assigned one (policies built in tests). */
  static long generation(KeepalivePolicy policy) {
    return policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
  }

  static String pods(int n) {
    return n == 1 ? "1 pod" : n + " pods";
  }

  public static Condition condition(String type, boolean status, String reason, String message) {
    return condition(type, status ? "True" : "False", reason, message);
  }

  /** Neither true nor false yet: nothing to judge (no agent running, no report). */
  static Condition unknown(String type, String reason, String message) {
    return condition(type, "Unknown", reason, message);
  }

  private static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  /**
   * What the agents of the applicable pods observed, already judged; null until agents are
   * collected.
   *
   * @param recommendations values to set, one line each
   */
  public record AgentVerdict(
      ObservedHealth observed, List<Condition> conditions, List<String> recommendations) {}
}
